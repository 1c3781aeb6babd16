"""The sandbox API executor against a small real HTTP server on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from remediation.executors.base import ClusterAccess, ExecutionContext, ExecutionError
from remediation.executors.rhdp_sandbox_api import SandboxApiExecutor
from remediation.tests.test_gates import CATALOG

PLACEMENT = "0b6a3c1e-2f4d-4e5a-9b8c-7d6e5f4a3b2c"


class SandboxApi(BaseHTTPRequestHandler):
    calls: list[tuple[str, str, dict[str, object] | None, str]] = []
    status = 200

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.calls.append((self.command, self.path, body, self.headers["Authorization"]))
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"message": "ok"}')

    do_DELETE = do_PUT = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def sandbox_api() -> Iterator[type[SandboxApi]]:
    handler = type("Handler", (SandboxApi,), {"calls": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield handler
    server.shutdown()
    server.server_close()


def _context(url: str, action_id: str, **params: object) -> ExecutionContext:
    action = CATALOG.get(action_id)
    return ExecutionContext(
        action=action,
        parameters={**action.fixed, **params},
        namespace="sandbox-abc12-web",
        cluster=ClusterAccess(name="c", api_url="https://127.0.0.1:1"),
        allowed_prefixes=("sandbox-",),
        sandbox_api_url=url,
        sandbox_api_token="s3cret",
    )


def test_it_releases_a_placement_with_delete(sandbox_api) -> None:
    context = _context(sandbox_api.url, "sandbox-release-placement", placement=PLACEMENT)
    result = SandboxApiExecutor(context=context).execute()
    assert result.detail["status"] == 200
    assert sandbox_api.calls == [
        ("DELETE", f"/api/v1/placements/{PLACEMENT}", None, "Bearer s3cret")
    ]


def test_it_sends_a_placement_action_with_put(sandbox_api) -> None:
    context = _context(sandbox_api.url, "sandbox-recreate-namespace", placement=PLACEMENT)
    SandboxApiExecutor(context=context).execute()
    assert sandbox_api.calls == [
        ("PUT", f"/api/v1/placements/{PLACEMENT}/action", {"action": "recreate"}, "Bearer s3cret")
    ]


def test_it_reports_a_server_error_as_retryable(sandbox_api) -> None:
    sandbox_api.status = 503
    context = _context(sandbox_api.url, "sandbox-release-placement", placement=PLACEMENT)
    with pytest.raises(ExecutionError, match="sandbox API 503") as info:
        SandboxApiExecutor(context=context).execute()
    assert not info.value.permanent


def test_it_reports_an_unreachable_api(sandbox_api) -> None:
    context = _context("http://127.0.0.1:9", "sandbox-release-placement", placement=PLACEMENT)
    with pytest.raises(ExecutionError, match="sandbox API"):
        SandboxApiExecutor(context=context).execute()


def test_it_refuses_a_placement_that_is_not_a_uuid(sandbox_api) -> None:
    context = _context(sandbox_api.url, "sandbox-release-placement", placement="../../admin")
    with pytest.raises(ExecutionError, match="UUID"):
        SandboxApiExecutor(context=context).execute()
    assert sandbox_api.calls == []
