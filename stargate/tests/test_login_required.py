"""Every URL pattern requires a login, except an explicit allow-list; a new view cannot forget."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Patterns reachable without a session, and why.
PUBLIC = {
    "healthz": "liveness probe",
    "readyz": "readiness probe",
    "favicon": "the icon browsers ask for on every page (a redirect to the static file)",
}
API_KEY = {  # JSON API: API key instead of a session
    "api_whoami",
    "api_action_request_list",
    "api_action_request_detail",
    "api_action_request_approve",
    "api_action_request_reject",
    "api_remediation_pause",
    "api_remediation_pause_change",
    "api_lab_list",
    "api_lab_detail",
    "api_cluster_list",
    "api_cluster_detail",
    "api_scan_run_list",
    "api_scan_run_detail",
    "api_external_evidence",
    "api_lab_mapping_list",  # lab mappings (collectors/api.py)
    "api_lab_mapping_write",
    "api_cluster_capacity",  # the Launchpad forecast API (forecasting/api.py)
    "api_cluster_score",
    "api_forecast",
    "api_health_summary",
    "api_pool_availability",
    "api_readiness",
    "api_incident_list",  # incidents, silences, recommendations, proposals (dashboard/api_work.py)
    "api_incident_detail",
    "api_silence_add",
    "api_recommendation_list",
    "api_proposal_list",
    "api_proposal_review",
    "api_evaluation_feedback",  # evaluation feedback (rubrics_app/api.py)
    "openapi-json",  # or a session
    "api-root",  # 404 with a key
    "api_not_found",  # any other path under /api/v1/: 404 with a key
}
BEARER = {  # a bearer token setting instead of a session; 404 while the setting is empty
    "metrics": "Prometheus scrapes with STARGATE_METRICS_TOKEN",
}
ALLAUTH_PREFIX = "accounts/"  # login, logout, SSO callbacks: allauth decides
ADMIN_PREFIX = "admin/"  # the admin redirects to its own login


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(_walk(entry.url_patterns, route))
        else:
            found.append((route, entry))
    return found


def _sample_path(route: str) -> str:
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<(?:str|slug):[^>]+>", "x", route)
    route = re.sub(r"<path:[^>]+>", "x/y", route)
    route = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", route)
    return "/" + route.lstrip("^").rstrip("$").replace("\\Z", "")


ROUTES = [
    (route, pattern)
    for route, pattern in _walk(get_resolver().url_patterns)
    if not route.startswith((ALLAUTH_PREFIX, ADMIN_PREFIX)) and "(?P" not in route
]


@pytest.mark.smoke
@pytest.mark.django_db
@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=[r for r, _ in ROUTES])
def test_it_requires_login_on_every_page(client: Client, route: str, pattern: URLPattern) -> None:
    response = client.get(_sample_path(route))
    if pattern.name in PUBLIC:
        assert response.status_code in (200, 301, 503)
    elif pattern.name in API_KEY:
        assert response.status_code == 401
    elif pattern.name in BEARER:
        assert response.status_code in (401, 404)
    else:
        assert response.status_code == 302, f"{route} answered {response.status_code} anonymously"
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_it_serves_the_login_page_without_a_redirect_loop(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Log in to StarGate" in response.content


@pytest.mark.smoke
@pytest.mark.django_db
def test_it_sends_the_admin_to_a_login(client: Client) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302


def test_it_found_the_app_pages() -> None:
    names = {pattern.name for _, pattern in ROUTES}
    assert {"fleet_overview", "healthz", "api_whoami"} <= names
