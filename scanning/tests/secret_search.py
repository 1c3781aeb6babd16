"""Where a planted secret could surface: every stored row, the rendered pages, the API."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.test import Client


def all_rows_text() -> str:
    """Every column of every row of every table, as text (PostgreSQL and SQLite alike)."""
    texts: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from the catalog)
            texts += [_as_text(value) for row in cursor.fetchall() for value in row]
    return "\n".join(texts)


def _as_text(value: Any) -> str:
    if isinstance(value, dict | list):  # jsonb read back as Python values
        return json.dumps(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def pages_text(client: Client) -> str:
    """The fleet overview, the lab table, every lab's and cluster's page, every scan run's page,
    the approval queue, and the API's answers: every action request, the labs, clusters and scan
    runs (HTML unescaped,
    so an escaped `&` or quote in a secret still matches)."""
    from django.contrib.auth.models import User

    from labs.models import Cluster, LabInstance
    from remediation.models import ActionRequest
    from scanning.models import ScanRun
    from stargate.apikeys import api_key_create

    admin = User.objects.get(username="admin")
    token = api_key_create(name="search", owner=admin, scopes=["read"]).token
    api = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    texts = []
    for url in _page_urls(Cluster, LabInstance, ScanRun):
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.content.decode())
    texts.append(client.get("/api/v1/remediation/requests", **api).content.decode())  # type: ignore[arg-type]
    for pk in ActionRequest.objects.values_list("pk", flat=True):
        response = client.get(f"/api/v1/remediation/requests/{pk}", **api)  # type: ignore[arg-type]
        assert response.status_code == 200
        texts.append(json.dumps(response.json()))
    api_urls = ["/api/v1/labs?limit=500", "/api/v1/clusters", "/api/v1/scan-runs?limit=500"]
    api_urls += [f"/api/v1/scan-runs/{pk}" for pk in ScanRun.objects.values_list("pk", flat=True)]
    for url in api_urls:
        response = client.get(url, **api)  # type: ignore[arg-type]
        assert response.status_code == 200, url
        texts.append(json.dumps(response.json()))
    joined = "\n".join(texts)
    return joined + "\n" + html.unescape(joined)


def _page_urls(cluster: Any, lab_instance: Any, scan_run: Any) -> Iterator[str]:
    yield from ("/", "/labs/", "/remediation/approvals/")
    yield from (f"/labs/{pk}/" for pk in lab_instance.objects.values_list("pk", flat=True))
    yield from (f"/clusters/{name}/" for name in cluster.objects.values_list("name", flat=True))
    yield from (f"/scans/runs/{pk}/" for pk in scan_run.objects.values_list("pk", flat=True))
