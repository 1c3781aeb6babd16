"""The typed API: every operation refuses a missing, revoked or under-scoped key; errors are
problem details; keys are rate limited; the schema and its docs page; labs, clusters, scan runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from labs.models import Lab, LabInstance, Status, Team
from remediation.tests.conftest import make_lab_instance
from rubrics_app.models import Evaluation
from scanning.models import ScanRun
from stargate.api import api_v1
from stargate.apikeys import api_key_create, api_key_revoke

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
PROBLEM = "application/problem+json"
BASE_DIR = Path(__file__).resolve().parents[2]


def _operations() -> list[tuple[str, str]]:
    schema = api_v1.get_openapi_schema(path_prefix="/api/v1/")
    return [
        (method.upper(), path.replace("{pk}", "1").replace("{name}", "sim1"))
        for path, item in schema["paths"].items()
        for method in item
    ]


OPERATIONS = _operations()


@pytest.fixture
def owner() -> User:
    return User.objects.create_superuser("robot", "robot@example.com", "irrelevant-pw-123")


def _call(client: Client, method: str, path: str, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.generic(method, path, "{}", content_type="application/json", headers=headers)


def _same_minute() -> None:
    """Start a rate-limit test where a calendar minute has seconds to spare."""
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)


def _is_problem(response: Any, status: int) -> bool:
    body = response.json()
    return (
        response.status_code == status
        and response["Content-Type"] == PROBLEM
        and body["status"] == status
        and body["error"] == body["detail"]
        and {"type", "title", "instance"} <= body.keys()
    )


def test_it_found_every_operation() -> None:
    assert len(OPERATIONS) >= 13
    assert ("POST", "/api/v1/remediation/requests/1/approve") in OPERATIONS


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_it_refuses_a_missing_or_revoked_key(
    client: Client, owner: User, method: str, path: str
) -> None:
    created = api_key_create(name="ci", owner=owner, scopes=["admin"])
    api_key_revoke(api_key=created.api_key)
    for token in (None, created.token, "sg_0000_nope"):
        response = _call(client, method, path, token)
        assert _is_problem(response, 401), (token, response.content)
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path"), [op for op in OPERATIONS if op[0] != "GET"])
def test_it_refuses_a_key_without_the_scope_to_write(
    client: Client, owner: User, method: str, path: str
) -> None:
    token = api_key_create(name="reader", owner=owner, scopes=["read"]).token
    response = _call(client, method, path, token)
    assert _is_problem(response, 403)
    detail = response.json()["detail"]  # lab mappings need the admin scope, the rest approve
    assert "'approve' scope" in detail or "'admin' scope" in detail


def test_it_refuses_a_write_key_whose_owner_lacks_the_permission(client: Client) -> None:
    bob = User.objects.create_user("bob", password="irrelevant-pw-123")
    token = api_key_create(name="ci", owner=bob, scopes=["admin"]).token
    for method, path in [op for op in OPERATIONS if op[0] != "GET"]:
        response = _call(client, method, path, token)
        assert _is_problem(response, 403), path
        assert "the key's owner lacks " in response.json()["detail"]


def test_it_answers_validation_errors_and_unknown_paths_as_problems(
    client: Client, owner: User
) -> None:
    token = api_key_create(name="ci", owner=owner, scopes=["read"]).token
    headers = {"Authorization": f"Bearer {token}"}
    invalid = client.get("/api/v1/labs", {"status": "broken"}, headers=headers)
    assert _is_problem(invalid, 400)
    assert invalid.json()["type"] == "urn:stargate:problem:invalid-request"
    assert invalid.json()["errors"][0]["loc"] == ["query", "status"]
    assert _is_problem(client.get("/api/v1/labs", {"stauts": "failed"}, headers=headers), 400)
    assert _is_problem(client.get("/api/v1/labs?q=a&q=b", headers=headers), 400)
    assert _is_problem(client.get("/api/v1/labs/999999", headers=headers), 404)
    assert _is_problem(client.get("/api/v1/no-such-thing", headers=headers), 404)
    assert _is_problem(client.get("/api/v1/no-such-thing"), 401)
    not_allowed = client.delete("/api/v1/labs", headers=headers)
    assert _is_problem(not_allowed, 405) and not_allowed["Allow"] == "GET"


def test_it_limits_each_key_per_minute(client: Client, owner: User, settings: Any) -> None:
    settings.API_RATE_LIMIT = 3
    _same_minute()
    first, second = (api_key_create(name=n, owner=owner, scopes=["read"]).token for n in "ab")
    answers = [_call(client, "GET", "/api/v1/whoami", first) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert _is_problem(answers[-1], 429)
    assert answers[-1].json()["type"] == "urn:stargate:problem:key-rate-limit"
    assert 1 <= int(answers[-1]["Retry-After"]) <= 60
    assert _call(client, "GET", "/api/v1/whoami", second).status_code == 200


@pytest.mark.skipif(not settings.REDIS_URL, reason="the embedded cache is one process's memory")
def test_it_shares_the_limit_across_processes(client: Client, owner: User, settings: Any) -> None:
    """Another process (a second web process) spends the key's minute; this one refuses."""
    settings.API_RATE_LIMIT = 2
    _same_minute()
    created = api_key_create(name="shared", owner=owner, scopes=["read"])
    spend = (
        "import django; django.setup(); from django.http import HttpRequest; "
        "from stargate.apiauth import KeyRateThrottle; from stargate.models import ApiKey; "
        f"r = HttpRequest(); r.api_key = ApiKey(prefix={created.api_key.prefix!r}); "
        "t = KeyRateThrottle(); "
        "print([t.allow_request(r) for _ in range(2)])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "stargate.settings_test",
        "STARGATE_API_RATE_LIMIT": "2",
    }
    out = subprocess.run(
        [sys.executable, "-c", spend],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "[True, True]"
    assert _call(client, "GET", "/api/v1/whoami", created.token).status_code == 429


def test_it_serves_the_schema_to_a_key_or_a_session(client: Client, owner: User) -> None:
    assert _is_problem(client.get("/api/v1/openapi.json"), 401)
    token = api_key_create(name="ci", owner=owner, scopes=["read"]).token
    schema = client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"})
    assert schema.json()["openapi"].startswith("3.1")
    client.force_login(owner)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/labs", "/api/v1/clusters", "/api/v1/scan-runs"} <= paths.keys()
    problem = paths["/api/v1/labs"]["get"]["responses"]["401"]["content"]
    assert list(problem) == [PROBLEM]


def test_it_serves_the_docs_page_to_signed_in_users_only(client: Client, owner: User) -> None:
    assert client.get("/api/v1/docs").status_code == 302
    client.force_login(owner)
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def _fleet() -> LabInstance:
    team = Team.objects.create(name="workshops")
    web = make_lab_instance(namespace="sandbox-abc12-web")
    make_lab_instance(namespace="sandbox-def34-shop", cluster_name="sim2")
    Lab.objects.filter(pk=web.lab_id).update(team=team)
    LabInstance.objects.filter(pk=web.pk).update(status=Status.FAILED, failure_class="crashloop")
    Evaluation.objects.create(
        lab_instance=web,
        rubric_id="lab-ready",
        outcome="failed",
        failure_class="crashloop",
        reason="web: back-off",
        evaluated_at=timezone.now(),
    )
    return web


def test_it_lists_labs_with_their_verdicts_and_the_tables_filters(
    client: Client, owner: User, django_assert_max_num_queries: Any
) -> None:
    web = _fleet()
    token = api_key_create(name="ci", owner=owner, scopes=["read"]).token
    headers = {"Authorization": f"Bearer {token}"}
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/labs", headers=headers).json()
    assert body["count"] == 2
    first = body["results"][0]
    assert (first["namespace"], first["team"], first["status"]) == (
        web.namespace,
        "workshops",
        "failed",
    )
    assert first["verdicts"][0]["rubric_id"] == "lab-ready"
    for query in (
        {"cluster": "sim1"},
        {"team": "workshops"},
        {"status": "failed"},
        {"q": "ABC12"},
        {"failure_class": "crashloop"},
        {"catalog_item": web.lab.catalog_item},
    ):
        found = client.get("/api/v1/labs", query, headers=headers).json()
        assert [lab["id"] for lab in found["results"]] == [web.pk], query
    ordered = client.get("/api/v1/labs", {"sort": "-namespace"}, headers=headers).json()
    assert [lab["namespace"] for lab in ordered["results"]] == [
        "sandbox-def34-shop",
        "sandbox-abc12-web",
    ]
    paged = client.get("/api/v1/labs", {"limit": 1, "offset": 1}, headers=headers).json()
    assert (paged["count"], len(paged["results"])) == (2, 1)
    assert client.get(f"/api/v1/labs/{web.pk}", headers=headers).json()["id"] == web.pk


def test_it_lists_clusters_with_counts_and_scan_runs(client: Client, owner: User) -> None:
    web = _fleet()
    web.cluster.api_url = "https://user:secret@api.sim1.example.com:6443"
    web.cluster.save()
    now = timezone.now()
    for tier in (1, 3):
        ScanRun.objects.create(
            cluster=web.cluster,
            tier=tier,
            status="succeeded",
            errors=["x"],
            started_at=now - timedelta(minutes=tier),
        )
    token = api_key_create(name="ci", owner=owner, scopes=["read"]).token
    headers = {"Authorization": f"Bearer {token}"}
    clusters = client.get("/api/v1/clusters", headers=headers).json()["results"]
    assert [(c["name"], c["labs"]) for c in clusters] == [
        ("sim1", {"total": 1, "failed": 1, "ready": 0}),
        ("sim2", {"total": 1, "failed": 0, "ready": 0}),
    ]
    assert "secret" not in clusters[0]["api_url"]
    assert client.get("/api/v1/clusters/sim1", headers=headers).json()["name"] == "sim1"
    runs = client.get("/api/v1/scan-runs", {"cluster": "sim1", "tier": 3}, headers=headers)
    assert [r["tier"] for r in runs.json()["results"]] == [3]
    run_id = runs.json()["results"][0]["id"]
    assert client.get(f"/api/v1/scan-runs/{run_id}", headers=headers).json()["errors"] == ["x"]
