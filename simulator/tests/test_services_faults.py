"""Every fault kind on every service simulator, seen by a real httpx client; auth enforced."""

from __future__ import annotations

import time
from typing import Any

import httpx
import orjson
import pytest

from simulator.services.base import CONTROL_HEADER
from simulator.tests.services_client import PATHS, client, wrong_client

SERVICES = list(PATHS)
AUTHENTICATED = ["launchpad", "aap-event0", "sandbox_api", "cluster_scheduler", "prometheus-sim-01"]


@pytest.mark.parametrize("name", SERVICES)
def test_the_happy_path_answers_json(services: Any, name: str) -> None:
    with client(services, name) as http:
        answer = http.get(PATHS[name])

    assert answer.status_code == 200
    assert answer.json() is not None


@pytest.mark.parametrize("name", AUTHENTICATED)
def test_a_wrong_credential_gets_401(services: Any, name: str) -> None:
    with wrong_client(services, name) as http:
        assert http.get(PATHS[name]).status_code == 401
    with httpx.Client(base_url=services.url(name), timeout=5) as anonymous:
        assert anonymous.get(PATHS[name]).status_code == 401


@pytest.mark.parametrize("name", ["labagator", "demolition"])
def test_an_optional_auth_header_is_enforced_once_set(services: Any, name: str) -> None:
    data = services.server(name).data
    data.update(auth_header="X-Auth-Token", auth_token="sim-secret")
    try:
        with httpx.Client(base_url=services.url(name), timeout=5) as http:
            assert http.get(PATHS[name]).status_code == 401
            assert http.get(PATHS[name], headers={"X-Auth-Token": "nope"}).status_code == 401
            good = http.get(PATHS[name], headers={"X-Auth-Token": "sim-secret"})
            assert good.status_code == 200
    finally:
        data.update(auth_header="", auth_token="")


@pytest.mark.parametrize("name", SERVICES)
def test_latency_delays_the_answer(services: Any, name: str) -> None:
    services.inject(name, "latency", 0.3)
    with client(services, name) as http:
        start = time.monotonic()
        answer = http.get(PATHS[name])

    assert answer.status_code == 200 and time.monotonic() - start >= 0.3


@pytest.mark.parametrize("name", SERVICES)
def test_a_hang_outlasts_the_client_timeout(services: Any, name: str) -> None:
    with client(services, name, timeout=0.3) as http:
        services.inject(name, "hang", 3)
        start = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            http.get(PATHS[name])

    assert time.monotonic() - start < 2


@pytest.mark.parametrize("name", SERVICES)
def test_error_500(services: Any, name: str) -> None:
    with client(services, name) as http:
        services.inject(name, "error_500")
        answer = http.get(PATHS[name])

    assert answer.status_code == 500


@pytest.mark.parametrize("name", SERVICES)
def test_unauthorized_whatever_the_credential(services: Any, name: str) -> None:
    with client(services, name) as http:
        services.inject(name, "unauthorized")
        answer = http.get(PATHS[name])

    assert answer.status_code == 401


@pytest.mark.parametrize("name", SERVICES)
def test_malformed_body(services: Any, name: str) -> None:
    with client(services, name) as http:
        services.inject(name, "malformed_json")
        answer = http.get(PATHS[name])

    assert answer.status_code == 200
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(answer.content)


@pytest.mark.parametrize("name", SERVICES)
def test_refused_then_healed(services: Any, name: str) -> None:
    with client(services, name) as http:
        services.inject(name, "refused")
        with pytest.raises(httpx.ConnectError):
            http.get(PATHS[name])
        services.heal(name)
        assert http.get(PATHS[name]).status_code == 200


def test_the_sandbox_metrics_text_can_be_malformed(services: Any) -> None:
    services.inject("sandbox_api", "malformed_json", path_contains="/metrics")
    text = httpx.get(services.credentials("sandbox_api")["metrics_url"], timeout=5).text

    assert '"two"' in text and "{{{" in text


def test_faults_are_controlled_over_http(services: Any) -> None:
    url = services.url("zerotouch")
    control = {CONTROL_HEADER: services.control_token}

    assert httpx.post(f"{url}/_control/faults", json={"mode": "error_500"}).status_code == 401
    assert (
        httpx.post(f"{url}/_control/faults", json={"mode": "nonsense"}, headers=control).status_code
        == 400
    )
    httpx.post(f"{url}/_control/faults", json={"mode": "error_500"}, headers=control)
    assert httpx.get(f"{url}/catalogItems").status_code == 500
    assert httpx.get(f"{url}/_control", headers=control).json()["faults"] == {"error_500": 1.0}
    httpx.delete(f"{url}/_control/faults", headers=control)
    assert httpx.get(f"{url}/catalogItems").status_code == 200


def test_state_is_changed_over_http(services: Any) -> None:
    url = services.url("labagator")
    control = {CONTROL_HEADER: services.control_token}
    before = httpx.get(f"{url}/room-sessions/?limit=500").json()["count"]
    session = {
        "id": 9999,
        "event_id": 42,
        "lab_code": "LB1206",
        "session_date": "2026-03-10",
        "start_time": "11:00",
        "room": "Room 1",
        "attendees": 12,
        "status": "scheduled",
        "ops_deploy_person": "dana",
    }

    added = httpx.post(f"{url}/_control/data/sessions", json=session, headers=control)

    assert added.status_code == 201
    after = httpx.get(f"{url}/room-sessions/?limit=500").json()
    assert after["count"] == before + 1 and after["results"][-1]["id"] == 9999
    services.server("labagator").data["sessions"].pop()


@pytest.mark.parametrize(
    ("name", "path"),
    [("labagator", "/room-sessions/?limit=3"), ("aap-event0", "/api/v2/jobs/?page_size=3")],
)
def test_a_broken_next_link_leads_nowhere(services: Any, name: str, path: str) -> None:
    with client(services, name) as http:
        services.inject(name, "broken_next")
        following = http.get(path).json()["next"]

        assert following and http.get(following).status_code == 404


@pytest.mark.parametrize(
    ("name", "path"),
    [("labagator", "/room-sessions/?limit=3"), ("aap-event0", "/api/v2/jobs/?page_size=3")],
)
def test_slow_pagination_delays_later_pages_only(services: Any, name: str, path: str) -> None:
    with client(services, name) as http:
        services.inject(name, "slow_pages", 0.4)
        start = time.monotonic()
        following = http.get(path).json()["next"]
        first = time.monotonic() - start
        start = time.monotonic()
        assert http.get(following).status_code == 200
        second = time.monotonic() - start

    assert first < 0.4 <= second
