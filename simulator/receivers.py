"""Loopback receivers of notifications, for tests and the demo: a Slack incoming webhook, the
PagerDuty Events API v2 and a generic webhook, on one ephemeral port.

    with Receiver(webhook_secret="s3cret") as receiver:
        receiver.slack_url          # http://127.0.0.1:<port>/services/T0/B0/<token>
        receiver.pagerduty_url      # http://127.0.0.1:<port>/v2/enqueue
        receiver.webhook_url        # http://127.0.0.1:<port>/hooks/stargate
        receiver.fail(500)          # answer 500 to everything until heal()
        receiver.down()             # stop listening (connection refused) until up()

Payloads are checked as the public documentation defines them, and refused as the real service
would: Slack's Block Kit (`text` or `blocks`; at most 50 blocks; header text plain_text up to
150 characters; a section's text up to 3000, its fields at most 10 of up to 2000; context
elements at most 10) answers 400 `invalid_blocks`/`no_text`/`invalid_payload`, and 404
`no_service` for an unknown hook; PagerDuty (a 32-character `routing_key`, `event_action`
trigger/acknowledge/resolve, `dedup_key` up to 255 characters and required to acknowledge or
resolve, a trigger's `payload` with `summary` up to 1024, `source`, `severity`
critical/error/warning/info) answers 202 `{"status": "success", "dedup_key": ...}` or 400
`invalid event`. The generic webhook checks `X-StarGate-Signature` when given a secret.
Accepted messages are recorded with their `X-StarGate-Delivery` key, in arrival order.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "127.0.0.1"
SLACK_PATH = "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
PAGERDUTY_PATH = "/v2/enqueue"
WEBHOOK_PATH = "/hooks/stargate"
BLOCK_TYPES = {"section", "header", "divider", "context", "actions", "image", "rich_text"}
TEXT_TYPES = {"plain_text", "mrkdwn"}
PD_ACTIONS = {"trigger", "acknowledge", "resolve"}
PD_SEVERITIES = {"critical", "error", "warning", "info"}


@dataclass(frozen=True)
class Received:
    kind: str  # slack, pagerduty, webhook
    key: str  # X-StarGate-Delivery
    body: dict[str, Any]
    headers: dict[str, str]


def _text_error(obj: Any, limit: int, types: set[str] = TEXT_TYPES) -> str:
    if not isinstance(obj, dict) or obj.get("type") not in types:
        return "text object needs a type of " + "/".join(sorted(types))
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return "text object needs text"
    return f"text longer than {limit}" if len(text) > limit else ""


def _block_error(block: Any) -> str:
    if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
        return "unknown block type"
    if len(str(block.get("block_id", ""))) > 255:
        return "block_id longer than 255"
    kind = block["type"]
    if kind == "header":
        return _text_error(block.get("text"), 150, {"plain_text"})
    if kind == "section":
        if "text" not in block and "fields" not in block:
            return "section needs text or fields"
        if "text" in block and (error := _text_error(block["text"], 3000)):
            return error
        fields = block.get("fields", [])
        if not isinstance(fields, list) or len(fields) > 10:
            return "at most 10 fields"
        return next((e for f in fields if (e := _text_error(f, 2000))), "")
    if kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 0 < len(elements) <= 10:
            return "context needs 1 to 10 elements"
        return next((e for el in elements if (e := _text_error(el, 3000))), "")
    return ""


def slack_error(body: Any) -> str:
    """Slack's answer to an invalid incoming-webhook payload, or ""."""
    if not isinstance(body, dict):
        return "invalid_payload"
    blocks = body.get("blocks")
    if blocks is None:
        return "" if isinstance(body.get("text"), str) and body["text"] else "no_text"
    if not isinstance(blocks, list) or len(blocks) > 50:
        return "invalid_blocks"
    return "invalid_blocks" if any(_block_error(b) for b in blocks) else ""


def pagerduty_errors(body: Any) -> list[str]:
    """The Events API v2's refusals of an event (empty: valid)."""
    if not isinstance(body, dict):
        return ["Event object is invalid"]
    errors = []
    key = body.get("routing_key")
    if not isinstance(key, str) or len(key) != 32:
        errors.append("'routing_key' must be a 32 character string")
    action = body.get("event_action")
    if action not in PD_ACTIONS:
        errors.append("'event_action' is invalid (must be trigger, acknowledge or resolve)")
    dedup = body.get("dedup_key")
    if dedup is not None and (not isinstance(dedup, str) or len(dedup) > 255):
        errors.append("'dedup_key' must be a string of at most 255 characters")
    if action in ("acknowledge", "resolve") and not dedup:
        errors.append("'dedup_key' is required to acknowledge or resolve")
    if action == "trigger":
        errors += _pagerduty_payload_errors(body.get("payload"))
    return errors


def _pagerduty_payload_errors(payload: Any) -> list[str]:
    if not isinstance(payload, dict):
        return ["'payload' is missing or not an object"]
    errors = []
    summary = payload.get("summary")
    if not isinstance(summary, str) or not summary or len(summary) > 1024:
        errors.append("'payload.summary' is required, at most 1024 characters")
    if not isinstance(payload.get("source"), str) or not payload["source"]:
        errors.append("'payload.source' is required")
    if payload.get("severity") not in PD_SEVERITIES:
        errors.append("'payload.severity' must be critical, error, warning or info")
    return errors


@dataclass
class _State:
    webhook_secret: str
    received: list[Received] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (kind, reason)
    failing: int | None = None  # answer this status to everything
    delay: float = 0.0  # seconds before each answer
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: str | dict[str, Any]) -> None:
        data = json.dumps(body) if isinstance(body, dict) else body
        content_type = "application/json" if isinstance(body, dict) else "text/plain"
        raw = data.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        state = self.server.state
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with state.lock:
            state.requests += 1
            failing, delay = state.failing, state.delay
        if delay:
            time.sleep(delay)
        if failing is not None:
            self._answer(failing, "simulated failure")
            return
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        kinds = {SLACK_PATH: "slack", PAGERDUTY_PATH: "pagerduty", WEBHOOK_PATH: "webhook"}
        kind = kinds.get(self.path)
        if kind is None:
            self._answer(404, "no_service")
            return
        getattr(self, f"_{kind}")(body, raw)

    def _record(self, kind: str, body: dict[str, Any]) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        key = headers.get("x-stargate-delivery", "")
        with self.server.state.lock:
            self.server.state.received.append(Received(kind, key, body, headers))

    def _refuse(self, kind: str, status: int, reason: str, answer: str | dict[str, Any]) -> None:
        with self.server.state.lock:
            self.server.state.refused.append((kind, reason))
        self._answer(status, answer)

    def _slack(self, body: Any, raw: bytes) -> None:
        error = slack_error(body)
        if error:
            self._refuse("slack", 400, error, error)
            return
        self._record("slack", body)
        self._answer(200, "ok")

    def _pagerduty(self, body: Any, raw: bytes) -> None:
        errors = pagerduty_errors(body)
        if errors:
            answer = {"status": "invalid event", "message": "Event object is invalid"}
            self._refuse("pagerduty", 400, "; ".join(errors), answer | {"errors": errors})
            return
        self._record("pagerduty", body)
        dedup = body.get("dedup_key") or "generated"
        self._answer(202, {"status": "success", "message": "Event processed", "dedup_key": dedup})

    def _webhook(self, body: Any, raw: bytes) -> None:
        secret = self.server.state.webhook_secret
        if secret:
            expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
            given = self.headers.get("X-StarGate-Signature", "")
            if not hmac.compare_digest(expected, given):
                self._refuse("webhook", 401, "bad signature", "bad signature")
                return
        if not isinstance(body, dict):
            self._refuse("webhook", 400, "not a JSON object", "bad request")
            return
        self._record("webhook", body)
        self._answer(204, "")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, state: _State) -> None:
        super().__init__((HOST, port), _Handler)
        self.state = state


class Receiver:
    """The receivers; `start()` (or `with`) serves them on an ephemeral loopback port, `down()`
    and `up()` stop and restart listening on the same port."""

    def __init__(self, *, webhook_secret: str = "", tls: ssl.SSLContext | None = None) -> None:
        """`tls`: serve HTTPS with this server context (`simulator.tls.server_context`)."""
        self.state = _State(webhook_secret)
        self.tls = tls
        self.port = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{HOST}:{self.port}"

    @property
    def slack_url(self) -> str:
        return self.base_url + SLACK_PATH

    @property
    def pagerduty_url(self) -> str:
        return self.base_url + PAGERDUTY_PATH

    @property
    def webhook_url(self) -> str:
        return self.base_url + WEBHOOK_PATH

    def start(self) -> Receiver:
        self.up()
        return self

    def up(self) -> None:
        self._server = _Server(self.port, self.state)
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)

    def stop(self) -> None:
        self.down()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail(self, status: int = 500) -> None:
        with self.state.lock:
            self.state.failing = status

    def slow(self, seconds: float) -> None:
        with self.state.lock:
            self.state.delay = seconds

    def heal(self) -> None:
        with self.state.lock:
            self.state.failing = None

    def received(self, kind: str | None = None) -> list[Received]:
        with self.state.lock:
            return [r for r in self.state.received if kind is None or r.kind == kind]

    def refused(self) -> list[tuple[str, str]]:
        with self.state.lock:
            return list(self.state.refused)


def main() -> None:  # pragma: no cover - a development helper
    import argparse

    parser = argparse.ArgumentParser(description="Serve the notification receivers.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--webhook-secret", default="")
    args = parser.parse_args()
    receiver = Receiver(webhook_secret=args.webhook_secret)
    receiver.port = args.port
    receiver.start()
    print(f"slack {receiver.slack_url}\npagerduty {receiver.pagerduty_url}")
    print(f"webhook {receiver.webhook_url}")
    while True:
        time.sleep(3600)


if __name__ == "__main__":  # pragma: no cover
    main()
