from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from rubrics_app.semantics.common import Health
from rubrics_app.semantics.showroom import showroom_health
from rubrics_app.showroom_probe import showroom_probe_run, showroom_url


class _Showroom(BaseHTTPRequestHandler):
    ready = True

    def do_GET(self) -> None:
        healthy = type(self).ready
        status = 200 if healthy or self.path != "/readyz" else 503
        body = b"<html><h1>Module 1</h1></html>" if healthy else b"starting"
        self.send_response(status)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def showroom() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Showroom)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Showroom.ready = True
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_it_probes_a_healthy_showroom(showroom):
    with httpx.Client(timeout=5) as client:
        probe = showroom_probe_run(showroom, client=client, marker="Module 1")
    assert (probe["readyz_status"], probe["content_ok"], probe["consecutive_failures"]) == (
        200,
        True,
        0,
    )
    assert showroom_health(probe).status == Health.READY


def test_it_fails_only_after_three_failed_probes_in_a_row(showroom):
    _Showroom.ready = False
    verdicts = []
    probe = None
    with httpx.Client(timeout=5) as client:
        for _ in range(3):
            probe = showroom_probe_run(showroom, client=client, previous=probe)
            verdicts.append(showroom_health(probe).status)
        _Showroom.ready = True
        probe = showroom_probe_run(showroom, client=client, previous=probe)
    assert verdicts == [Health.WARN, Health.WARN, Health.FAILED]
    assert probe["consecutive_failures"] == 0


def test_it_counts_an_unreachable_showroom_as_a_failure():
    with httpx.Client(timeout=1) as client:
        probe = showroom_probe_run(
            "http://127.0.0.1:9", client=client, previous={"consecutive_failures": 2}
        )
    assert probe["readyz_status"] is None and probe["consecutive_failures"] == 3
    assert showroom_health(probe).reason == "Unreachable"


def test_it_finds_the_showroom_route():
    routes = [
        {"metadata": {"name": "web"}, "spec": {"host": "web.apps"}},
        {
            "metadata": {"name": "guide", "labels": {"app": "showroom"}},
            "spec": {"host": "guide.apps", "tls": {}},
        },
    ]
    assert showroom_url(routes) == "https://guide.apps"
    assert showroom_url(routes[:1]) is None
