"""The probes and `/metrics` answer the kubelet and Prometheus, which address the pod by its IP
(a Host that ALLOWED_HOSTS does not list) over plain HTTP; every other path still refuses that
Host."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
POD = "10.128.2.17:8000"


@pytest.fixture(autouse=True)
def _production_hosts(settings) -> None:
    settings.ALLOWED_HOSTS = ["stargate.apps.example.com"]
    settings.METRICS_TOKEN = "scrape-token"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_the_probes_answer_on_the_pod_address(client: Client, path: str) -> None:
    assert client.get(path, HTTP_HOST=POD).status_code == 200


def test_metrics_answer_prometheus_on_the_pod_address(client: Client) -> None:
    headers = {"Authorization": "Bearer scrape-token"}
    response = client.get("/metrics", HTTP_HOST=POD, headers=headers)
    assert response.status_code == 200 and b"stargate_incidents_open" in response.content
    assert client.get("/metrics", HTTP_HOST=POD).status_code == 401  # the token still counts


def test_other_paths_still_refuse_an_unlisted_host(client: Client) -> None:
    assert client.get("/", HTTP_HOST=POD).status_code == 400
    assert client.get("/metrics/", HTTP_HOST=POD).status_code == 400


def test_the_https_redirect_spares_probes_and_metrics(client: Client, settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    headers = {"Authorization": "Bearer scrape-token"}
    assert client.get("/metrics", HTTP_HOST=POD, headers=headers).status_code == 200
    assert client.get("/healthz", HTTP_HOST=POD).status_code == 200
    redirected = client.get("/", HTTP_HOST="stargate.apps.example.com")
    assert redirected.status_code == 301
