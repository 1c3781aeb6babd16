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
        "pk": 7, "namespace": "sandbox-a1-item", "guid": "a1", "cluster_name": "east",
        "catalog_item": "item", "team_name": None, "status": "ready", "failure_class": "",
        "status_changed_at": timezone.now() - timedelta(hours=3, minutes=1),
    }  # fmt: skip
    return {**lab, **changes}


def test_the_columns_drive_the_header_the_cells_and_the_filters(operator_client):
    factories.lab_instance()
    html = operator_client.get("/labs/").content.decode()
    header = html.split("<thead>")[1].split("</thead>")[0]
    assert re.findall(r'class="sort">([^<]+)</a>', header) == [c.label for c in COLUMNS]
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
