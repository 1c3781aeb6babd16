"""`/metrics`: off without a token setting, refused without the token, no login needed."""

from __future__ import annotations

import pytest

from metrics.tests.scrape import TOKEN, scrape

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_it_does_not_exist_without_a_token_setting(client, settings) -> None:
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", headers={"Authorization": "Bearer anything"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"]
)
def test_it_refuses_without_the_token(client, settings, header) -> None:
    settings.METRICS_TOKEN = TOKEN
    headers = {"Authorization": header} if header else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="stargate-metrics"'
    assert b"stargate_" not in response.content


def test_it_answers_prometheus_without_a_login(client, settings) -> None:
    settings.METRICS_TOKEN = TOKEN
    families = scrape(client)
    assert "stargate_incidents_open" in families


def test_it_speaks_openmetrics_when_asked(client, settings) -> None:
    settings.METRICS_TOKEN = TOKEN
    response = client.get(
        "/metrics",
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Accept": "application/openmetrics-text; version=1.0.0",
        },
    )
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.endswith(b"# EOF\n")


def test_it_is_get_only(client, settings) -> None:
    settings.METRICS_TOKEN = TOKEN
    response = client.post("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 405


def test_the_token_may_come_from_a_file(tmp_path, monkeypatch) -> None:
    from stargate.lib.env import envsecret

    path = tmp_path / "token"
    path.write_text("from-a-file\n")
    monkeypatch.setenv("STARGATE_METRICS_TOKEN_FILE", str(path))
    assert envsecret("STARGATE_METRICS_TOKEN", "") == "from-a-file"
