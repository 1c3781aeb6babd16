"""The labs table is defined once (`dashboard.tables.COLUMNS`): header, cells and filters."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from dashboard.filters import LabInstanceFilter
from dashboard.tables import COLUMNS, RowRenderer
from labs.tests import factories

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def row(**changes):
    lab = {
        "pk": 7,
        "namespace": "sandbox-a1-item",
        "guid": "a1",
        "cluster_name": "east",
        "catalog_item": "item",
        "team_name": None,
        "status": "ready",
        "failure_class": "",
        "status_changed_at": timezone.now() - timedelta(hours=3, minutes=1),
    }
    return {**lab, **changes}


def test_the_columns_drive_the_header_the_cells_and_the_filters(operator_client):
    factories.lab_instance()
    html = operator_client.get("/labs/").content.decode()
    header = html.split("<thead>")[1].split("</thead>")[0]
    labels = re.findall(r'class="sort(?: sorted-\w+)?">([^<]+)<', header)
    assert labels == [c.label for c in COLUMNS]
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<td") == len(COLUMNS)
    filters = [c.filter.name for c in COLUMNS if c.filter is not None]
    assert list(LabInstanceFilter.base_filters) == filters
    assert re.findall(r'<label for="id_(\w+)">', html) == filters


def test_a_row_shows_its_current_values_and_age():
    renderer = RowRenderer()
    assert "✔</span> Ready" in renderer.row(row())
    assert "3h ago" in renderer.row(row())
    failed = renderer.row(row(status="failed", failure_class="<crash>"))
    assert "✖</span> Failed" in failed
    assert "<td>&lt;crash&gt;</td>" in failed
    assert "4h ago" in renderer.row(
        row(status_changed_at=timezone.now() - timedelta(hours=4, minutes=1))
    )
    assert 'hx-swap-oob="true"' in renderer.row(row(), oob=True)
    assert 'hx-swap-oob="true"' not in renderer.row(row())


def test_no_html_is_marked_safe_by_hand():
    """Everything renders through `format_html` and templates, which escape what they insert."""
    root = Path(__file__).resolve().parents[1]
    for source in root.rglob("*.py"):
        if "tests" not in source.parts:
            assert "mark_safe" not in source.read_text(), source


def _statuses(html):
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<span class="status status-(\w+)"', body)


SEVERITY = ["failed", "stale", "unknown", "warn", "progressing", "ready"]


def test_it_sorts_by_severity_worst_first_most_recent_change_first_by_default(operator_client):
    now = timezone.now()
    for minutes, status in enumerate(["ready", "warn", "failed", "progressing", "stale"]):
        factories.lab_instance(status=status, status_changed_at=now - timedelta(minutes=minutes))
    factories.lab_instance(status="unknown", status_changed_at=now - timedelta(hours=1))
    factories.lab_instance(status="failed", status_changed_at=now - timedelta(hours=2))
    factories.lab_instance(status="failed", status_changed_at=now)
    html = operator_client.get("/labs/").content.decode()
    assert _statuses(html) == ["failed", "failed", "failed", *SEVERITY[1:]]
    assert 'aria-sort="ascending"' in html.split("<thead>")[1].split("Status")[0][-200:]
    changed = re.findall(r'<time datetime="([^"]+)"', html.split("<tbody>")[1])
    assert changed[0] > changed[1] > changed[2]  # the failed ones, most recent change first


def test_sorting_by_status_follows_severity_not_the_alphabet(operator_client):
    for status in ["ready", "warn", "failed", "progressing", "stale", "unknown"]:
        factories.lab_instance(status=status, status_changed_at=timezone.now())
    assert _statuses(operator_client.get("/labs/?sort=status").content.decode()) == SEVERITY
    descending = _statuses(operator_client.get("/labs/?sort=-status").content.decode())
    assert descending == SEVERITY[::-1]


def test_the_labs_api_sorts_by_severity_too(client, django_user_model):
    from stargate.apikeys import api_key_create

    owner = factories.platform_operator(django_user_model.objects.create_user("api-owner"))
    token = api_key_create(name="ci", owner=owner, scopes=["read"]).token
    for status in ["ready", "warn", "failed", "progressing", "stale", "unknown"]:
        factories.lab_instance(status=status)
    headers = {"Authorization": f"Bearer {token}"}
    labs = client.get("/api/v1/labs", {"sort": "status"}, headers=headers).json()["results"]
    assert [lab["status"] for lab in labs] == SEVERITY
    labs = client.get("/api/v1/labs", {"sort": "-status"}, headers=headers).json()["results"]
    assert [lab["status"] for lab in labs] == SEVERITY[::-1]


def test_the_default_order_reads_the_triage_index():
    """Worst first, most recent change first is an index scan (labs migration 0010), not a sort
    of the whole fleet; the planner is told to avoid sorts so that a small table shows it."""
    from django.db import connection

    from labs.selectors import OPERATORS, lab_table_rows

    if connection.vendor != "postgresql":
        pytest.skip("an expression index plan: PostgreSQL only (SQLite has no such planner)")
    factories.lab_instance()
    sql, params = lab_table_rows(OPERATORS)[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using labinstance_triage" in plan
