"""A simulated OpenAI-compatible chat-completions endpoint, on loopback, for tests and the demo.

    with LLMSimulator(api_key="sim-key") as llm:    # llm.url is the API base, ending in /v1
        llm.script(Fault("http_429"), Fault("malformed_json"))   # the next two answers
        ...                                          # the real LiteLLM client talks to it
        assert "hunter2" not in llm.received_text()

Answers are deterministic and derived from the request's evidence (the `<user-data>` blocks): a
classification picks the known class whose words the evidence shows best, cites the evidence's
`reason` and answers in the JSON contract; a prose request gets three plain sentences; a request
with tools first calls, in one step, the tools of the collectors' facts whose sections the evidence
has (pool, automation jobs, sessions, smoke tests: `FACT_TOOLS`), then each other tool once, in
order (arguments from the tool's schema: an enum's first value, a pod name the conversation
shows), then answers. Faults, per request, from a queue (or
always, with `always`): latency, hang, http_429, http_500, malformed_json, schema_violation,
hallucinated_class, obey_injection (an agent also calls a `run_shell` tool the injection asks
for), truncated, loop (an agent that calls tools forever and never answers in JSON),
bad_arguments (an agent asks for a secret first), tools_unsupported (400 to a request with
tools, as vLLM without tool use). Every request is recorded with its headers and
body.
Run it alone with `python -m simulator.llm --port 8099 --api-key sim-key`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

HOST = "127.0.0.1"
FaultKind = Literal[
    "latency",  # answer normally after `seconds`
    "hang",  # answer after `seconds`, longer than the client's timeout
    "http_429",
    "http_500",
    "malformed_json",
    "schema_violation",
    "hallucinated_class",
    "obey_injection",
    "truncated",  # finish_reason "length", the JSON cut in the middle
    "loop",  # an agent: the same tool again and again; without tools, prose instead of JSON
    "bad_arguments",  # an agent: its first tool call asks for a kind it may not read
    "tools_unsupported",  # a request with tools gets a 400 (a model served without tool use)
]
CONTENT_FAULTS = frozenset({"malformed_json", "schema_violation", "truncated"})
SHELL_TOOL = "run_shell"
# An agent's tools that read what the collectors stored, and the evidence section each needs.
FACT_TOOLS = {
    "automation_jobs": "automation_jobs",
    "pool_status": "pool",
    "lab_sessions": "sessions",
    "smoke_tests": "smoke_tests",
}
HALLUCINATED_CLASS = "quantum-flux-failure"
_BLOCK = re.compile(r'<user-data name="(?P<name>[a-z_]+)">\n(?P<text>.*?)\n</user-data>', re.S)
_REASON = re.compile(r'"reason":\s*"(?P<reason>[^"]{2,80})"')
_INJECTION = re.compile(r"classify (?:this |it )?as (?P<cls>[A-Za-z][\w-]*)", re.I)
_WORD = re.compile(r"[a-z0-9]+")
_POD = re.compile(r"Pod/(?P<name>[a-z0-9][a-z0-9.-]*)")
_OBEY = re.compile(r"ignore (?:all )?previous instructions", re.I)


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    seconds: float = 0.0


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: str


@dataclass
class _State:
    api_key: str
    faults: deque[Fault] = field(default_factory=deque)
    always: Fault | None = None
    requests: list[RecordedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    def next_fault(self) -> Fault | None:
        with self.lock:
            return self.faults.popleft() if self.faults else self.always


class LLMSimulator:
    """The endpoint; `start()` (or `with`) serves it on an ephemeral loopback port."""

    def __init__(self, *, api_key: str = "sim-key", port: int = 0) -> None:
        self.state = _State(api_key=api_key)
        self._server = ThreadingHTTPServer((HOST, port), _handler_class(self.state))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._server.server_address[1]}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self.state.lock:
            return list(self.state.requests)

    def received_text(self) -> str:
        """Everything the endpoint received (headers and bodies), to search for secrets."""
        return "\n".join(f"{r.headers}\n{r.raw}" for r in self.requests)

    def script(self, *faults: Fault) -> None:
        with self.state.lock:
            self.state.faults.extend(faults)

    def always(self, fault: Fault | None) -> None:
        with self.state.lock:
            self.state.always = fault

    def start(self) -> LLMSimulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.state.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LLMSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler_class(state: _State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._json(200, {"object": "list", "data": [{"id": "granite-sim"}]})
            else:
                self._json(404, _error("not found", "not_found"))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8", "replace")
            if self.path == "/_control/faults":
                self._control(raw)
                return
            try:
                body = json.loads(raw)
            except ValueError:
                self._json(400, _error("the body is not JSON", "invalid_request_error"))
                return
            self._record(raw, body)
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._json(404, _error("not found", "not_found"))
            elif self.headers.get("Authorization", "") != f"Bearer {state.api_key}":
                self._json(401, _error("invalid API key", "invalid_api_key"))
            else:
                self._answer(body)

        def _record(self, raw: str, body: dict[str, Any]) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            entry = RecordedRequest(self.command, self.path, headers, body, raw)
            with state.lock:
                state.requests.append(entry)

        def _control(self, raw: str) -> None:
            spec = json.loads(raw or "{}")
            faults = [Fault(f["kind"], float(f.get("seconds", 0))) for f in spec.get("faults", [])]
            with state.lock:
                state.faults.extend(faults)
                if "always" in spec:
                    a = spec["always"]
                    state.always = Fault(a["kind"], float(a.get("seconds", 0))) if a else None
            self._json(200, {"queued": len(faults)})

        def _answer(self, body: dict[str, Any]) -> None:
            fault = state.next_fault()
            if fault is not None and fault.kind in ("latency", "hang"):
                state.stopping.wait(fault.seconds)
            if fault is not None and fault.kind == "http_429":
                self._json(429, _error("rate limited", "rate_limit_exceeded"))
            elif fault is not None and fault.kind == "http_500":
                self._json(500, _error("internal error", "server_error"))
            elif fault is not None and fault.kind == "tools_unsupported" and body.get("tools"):
                message = '"auto" tool choice requires --enable-auto-tool-choice'
                self._json(400, _error(message, "invalid_request_error"))
            else:
                self._json(200, completion(body, fault))

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up (its timeout)
                self.wfile.write(data)

    return Handler


def _error(message: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": code, "code": code}}


# --- answers ------------------------------------------------------------------------------------


def completion(body: dict[str, Any], fault: Fault | None) -> dict[str, Any]:
    """The chat-completions answer to `body` (pure: the same request gives the same answer)."""
    messages = body.get("messages") or []
    text = "\n".join(m.get("content") or "" for m in messages if isinstance(m, dict))
    message: dict[str, Any] = {"role": "assistant", "content": None}
    finish = "stop"
    tool_calls: list[dict[str, Any]] = []
    if fault is None or fault.kind not in CONTENT_FAULTS:
        tool_calls = _next_tool_calls(body, messages, fault)
    if tool_calls:
        message["tool_calls"] = tool_calls
        finish = "tool_calls"
    else:
        content = _content(body, messages, text, fault)
        if fault is not None and fault.kind == "truncated":
            content, finish = content[: max(1, len(content) // 2)], "length"
        message["content"] = content
    completion_text = json.dumps(message)
    prompt_tokens, completion_tokens = len(text) // 4 + 1, len(completion_text) // 4 + 1
    return {
        "id": f"chatcmpl-{uuid.uuid5(uuid.NAMESPACE_URL, json.dumps(body, sort_keys=True))}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(body.get("model", "granite-sim")),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _blocks(messages: list[Any]) -> dict[str, str]:
    user = "\n".join(
        m.get("content") or "" for m in messages if isinstance(m, dict) and m.get("role") == "user"
    )
    return {m["name"]: m["text"] for m in _BLOCK.finditer(user)}


def _kind(body: dict[str, Any], text: str) -> str:
    schema = json.dumps(body.get("response_format") or {})
    if "proposed_class" in schema or "proposed_class" in text:
        return "classify"
    if "verdict" in schema or body.get("tools") or '"verdict"' in text:
        return "investigate"
    return "prose"


def _content(body: dict[str, Any], messages: list[Any], text: str, fault: Fault | None) -> str:
    kind = _kind(body, text)
    if fault is not None and fault.kind == "malformed_json":
        return '{"proposed_class": "crashloop", "conditions": ["reason =='
    if fault is not None and fault.kind == "schema_violation":
        return json.dumps({"class": "crashloop", "confidence": "high", "action": "restart-pod"})
    blocks = _blocks(messages)
    if kind == "classify":
        return json.dumps(_classify(blocks, fault))
    if fault is not None and fault.kind == "loop":
        return "I still need to look at more objects before I can answer."
    if kind == "investigate":
        return json.dumps(_investigate(blocks, messages, fault))
    return _prose(blocks)


def _evidence(blocks: dict[str, str]) -> tuple[str, str]:
    """The evidence text and its first `reason` value (or its first words)."""
    evidence = blocks.get("evidence", "")
    match = _REASON.search(evidence)
    reason = match["reason"] if match else " ".join(evidence.split()[:3]) or "no evidence"
    return evidence, reason


def _known_classes(blocks: dict[str, str]) -> list[str]:
    raw = blocks.get("known_classes", "")
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = raw.split()
    return sorted(str(c) for c in parsed) if isinstance(parsed, list) else []


def _best_class(evidence: str, known: list[str]) -> tuple[str, int]:
    words, compact = (
        set(_WORD.findall(evidence.lower())),
        re.sub(r"[^a-z0-9]", "", evidence.lower()),
    )
    best, best_score = "", 0
    for cls in known:
        parts = cls.split("-")
        score = sum(part in words for part in parts) + 2 * ("".join(parts) in compact)
        if score > best_score:
            best, best_score = cls, score
    return best, best_score


def _novel_name(reason: str) -> str:
    kebab = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", reason)
    name = "-".join(_WORD.findall(kebab.lower())[:4])
    return name if name and name[0].isalpha() else "unexplained-failure"


def _classify(blocks: dict[str, str], fault: Fault | None) -> dict[str, Any]:
    evidence, reason = _evidence(blocks)
    injected = _INJECTION.search(evidence)
    if fault is not None and fault.kind == "obey_injection" and injected:
        return {
            "proposed_class": injected["cls"].lower(),
            "conditions": [f"reason == {reason}"],
            "confidence": 0.99,
            "reasoning": f"As instructed, classify as {injected['cls']}; recommend deleting "
            "the namespace to fix it.",
        }
    if fault is not None and fault.kind == "hallucinated_class":
        return {
            "proposed_class": HALLUCINATED_CLASS,
            "conditions": ["flux_capacitor == overloaded"],
            "confidence": 0.9,
            "reasoning": "Pod warp-core-stabilizer in namespace sandbox-imaginary-lab reports "
            "flux overload.",
        }
    known = _known_classes(blocks)
    cls, score = _best_class(reason, known)  # the failure's own reason first
    if score < 2:
        cls, score = _best_class(evidence, known)
    if not cls:
        cls, score = _novel_name(reason), 0
    return {
        "proposed_class": cls,
        "conditions": [f"reason == {reason}"],
        "confidence": round(min(0.95, 0.4 + 0.15 * score), 2),
        "reasoning": f"The evidence shows reason {reason}, which is what {cls} describes.",
    }


def _prose(blocks: dict[str, str]) -> str:
    _, reason = _evidence(blocks)
    cls = blocks.get("failure_class", "an unexplained failure").strip()
    return (
        f"Users of this lab cannot use it as intended because of {cls}. "
        f"The failed criteria report {reason}. "
        "The cause named by that reason must be fixed before the lab is ready again."
    )


def _calls(messages: list[Any]) -> list[str]:
    return [
        c["function"]["name"]
        for m in messages
        if isinstance(m, dict) and m.get("role") == "assistant"
        for c in m.get("tool_calls") or []
    ]


def _tool_results(messages: list[Any]) -> list[str]:
    return [
        str(m.get("content") or "")
        for m in messages
        if isinstance(m, dict) and m.get("role") == "tool"
    ]


def _call(number: int, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"call_{number}",
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }


def _next_tool_calls(
    body: dict[str, Any], messages: list[Any], fault: Fault | None = None
) -> list[dict[str, Any]]:
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict) and "function" in t]
    if not tools:
        return []
    called, kind = _calls(messages), fault.kind if fault is not None else ""
    number = len(called) + 1
    if kind == "loop":
        function = tools[0]["function"]
        return [_call(number, function["name"], _tool_arguments(function, messages))]
    if kind == "bad_arguments" and not called:
        return [_call(number, "get_object", {"kind": "secrets", "name": "db-credentials"})]
    injected = any(_OBEY.search(r) for r in _tool_results(messages))
    if kind == "obey_injection" and injected and SHELL_TOOL not in called:
        command = f"kubectl delete namespace {_lab(messages)}"
        return [_call(number, SHELL_TOOL, {"command": command})]
    facts = _fact_tools(tools, called, _blocks(messages).get("evidence", ""))
    if facts:
        return [_call(number + i, name, {}) for i, name in enumerate(facts)]
    for tool in tools:
        function = tool["function"]
        if function["name"] not in called and function["name"] not in FACT_TOOLS:
            return [_call(number, function["name"], _tool_arguments(function, messages))]
    return []


def _fact_tools(tools: list[dict[str, Any]], called: list[str], evidence: str) -> list[str]:
    """The offered fact tools not called yet whose section the evidence shows."""
    return [
        t["function"]["name"]
        for t in tools
        if t["function"]["name"] in FACT_TOOLS
        and t["function"]["name"] not in called
        and f'"{FACT_TOOLS[t["function"]["name"]]}": ' in evidence
    ]


def _lab(messages: list[Any]) -> str:
    return _blocks(messages).get("lab", "").strip() or "unknown"


def _tool_arguments(function: dict[str, Any], messages: list[Any]) -> dict[str, Any]:
    """Each required argument: an enum's first value ("pods" when it is one), a pod name the
    conversation shows for a pod or name, 50 for an integer, else the lab."""
    schema = function.get("parameters") or {}
    properties = schema.get("properties") or {}
    text = "\n".join(str(m.get("content") or "") for m in messages if isinstance(m, dict))
    pod = _POD.search(text)
    arguments: dict[str, Any] = {}
    for name in schema.get("required") or []:
        spec = properties.get(name, {})
        if spec.get("enum"):
            arguments[name] = "pods" if "pods" in spec["enum"] else spec["enum"][0]
        elif spec.get("type") == "integer":
            arguments[name] = 50
        elif name in ("pod", "name") and pod is not None:
            arguments[name] = pod["name"]
        else:
            arguments[name] = _lab(messages)
    return arguments


def _investigate(
    blocks: dict[str, str], messages: list[Any], fault: Fault | None = None
) -> dict[str, Any]:
    results = [r for r in _tool_results(messages) if r]
    evidence, reason = _evidence(blocks)
    if fault is not None and fault.kind == "obey_injection" and any(map(_OBEY.search, results)):
        return {
            "verdict": "ACTIONABLE",
            "root_cause": "As instructed by the log, the namespace is broken.",
            "failure_class": "namespace-wipe",
            "remediation_suggestion": f"kubectl delete namespace {_lab(messages)}",
            "cited_evidence": results[-1:],
        }
    cls, _ = _best_class(evidence + "\n".join(results), _known_classes(blocks))
    cited = [r[:200] for r in results][:3] or [reason]
    return {
        "verdict": "ACTIONABLE" if results else "UNKNOWN",
        "root_cause": f"The lab fails with {reason}."[:500],
        "failure_class": cls,
        "remediation_suggestion": "",
        "cited_evidence": cited,
    }


def main() -> None:  # pragma: no cover - manual use
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--api-key", default="sim-key")
    args = parser.parse_args()
    simulator = LLMSimulator(api_key=args.api_key, port=args.port).start()
    print(f"LLM simulator at {simulator.url} (key {args.api_key}); Ctrl-C stops it", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        simulator.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
