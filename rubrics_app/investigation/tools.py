"""The agent's tools: structured, read-only functions confined to one lab. No shell, no write,
no internet: objects and events come from the lab's stored (redacted) evidence, a pod's log
tail through the kubernetes client (read-only, the lab's namespace), history and the sibling
diff from the database, and what the collectors stored of the lab (its pool, its catalog item's
failed automation jobs, its sessions, its smoke tests: `rubrics_app.collected`). Every result is redacted, stripped of env values and capped."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from labs.models import LabInstance
from rubrics_app import collected
from rubrics_app.classification.bundle import sibling_diff
from rubrics_app.llm.hygiene import clean_text, without_env_values
from rubrics_app.models import Evaluation, StateChange
from scanning.kinds import EVIDENCE_KINDS
from stargate.lib.redact import redact

OBJECT_KINDS = tuple(k for k in EVIDENCE_KINDS if k != "events")  # never secrets or configmaps
MAX_LIST = 50
MAX_EVENTS = 50
MAX_TAIL_LINES = 200
LogReader = Callable[[LabInstance, str, bool, int], str | None]  # lab, pod, previous, lines


class ToolError(Exception):
    """The tool could not answer (bad arguments, an object that is not there, a cluster that
    cannot be read): the model is told, the step is stored as failed, the loop goes on."""


@dataclass(frozen=True)
class ToolContext:
    lab: LabInstance
    evidence: dict[str, Any]  # the lab's stored, redacted evidence
    read_log: LogReader


def _objects(ctx: ToolContext, kind: str) -> list[dict[str, Any]]:
    if kind not in OBJECT_KINDS:
        raise ToolError(f"kind {kind!r} is not readable (allowed: {', '.join(OBJECT_KINDS)})")
    return list((ctx.evidence.get("objects") or {}).get(kind) or [])


def _name(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def _summary(obj: dict[str, Any]) -> dict[str, Any]:
    status = obj.get("status") or {}
    owners = (obj.get("metadata") or {}).get("ownerReferences") or []
    summary: dict[str, Any] = {"name": _name(obj), "phase": status.get("phase", "")}
    summary["conditions"] = {
        str(c.get("type")): str(c.get("status")) for c in status.get("conditions") or []
    }
    restarts = [c.get("restartCount", 0) for c in status.get("containerStatuses") or []]
    if restarts:
        summary["restarts"] = sum(int(r or 0) for r in restarts)
    if owners:
        summary["owner"] = f"{owners[0].get('kind', '')}/{owners[0].get('name', '')}"
    return summary


def list_objects(ctx: ToolContext, kind: str) -> Any:
    return [_summary(o) for o in _objects(ctx, kind)[:MAX_LIST]]


def get_object(ctx: ToolContext, kind: str, name: str) -> Any:
    for obj in _objects(ctx, kind):
        if _name(obj) == name:
            found = {k: v for k, v in obj.items() if k != "managedFields"}
            metadata = dict(found.get("metadata") or {})
            metadata.pop("managedFields", None)
            return {**found, "metadata": metadata}
    raise ToolError(f"no {kind} named {name!r} in the lab's namespace")


def list_events(ctx: ToolContext, involved_name: str = "") -> Any:
    events = (ctx.evidence.get("objects") or {}).get("events") or []
    rows = [
        {
            "type": e.get("type", ""),
            "reason": e.get("reason", ""),
            "object": f"{(e.get('involvedObject') or {}).get('kind', '')}/"
            f"{(e.get('involvedObject') or {}).get('name', '')}",
            "message": e.get("message", ""),
            "count": e.get("count", 1),
        }
        for e in events
        if not involved_name or (e.get("involvedObject") or {}).get("name") == involved_name
    ]
    return rows[-MAX_EVENTS:]


def pod_log_tail(ctx: ToolContext, pod: str, previous: bool = False, tail_lines: int = 50) -> Any:
    if pod not in {_name(p) for p in _objects(ctx, "pods")}:
        raise ToolError(f"no pod named {pod!r} in the lab's namespace")
    lines = max(1, min(int(tail_lines), MAX_TAIL_LINES))
    text = ctx.read_log(ctx.lab, pod, bool(previous), lines)
    if text is None:
        raise ToolError(f"the log of pod {pod!r} could not be read")
    return text or "(empty log)"


def lab_history(ctx: ToolContext) -> Any:
    changes = StateChange.objects.filter(lab_instance=ctx.lab).order_by("-at", "-pk")[:20]
    verdicts = Evaluation.objects.filter(lab_instance=ctx.lab).exclude(outcome="ready")
    return {
        "state_changes": [
            {
                "rubric": c.rubric_id or "lab",
                "from": c.from_status,
                "to": c.to_status,
                "class": c.failure_class,
                "at": c.at.isoformat(),
            }
            for c in changes
        ],
        "not_ready_verdicts": [
            {
                "rubric": v.rubric_id,
                "outcome": v.outcome,
                "class": v.failure_class,
                "reason": v.reason,
                "since": v.outcome_since.isoformat() if v.outcome_since else "",
            }
            for v in verdicts[:20]
        ],
    }


def sibling_comparison(ctx: ToolContext) -> Any:
    return sibling_diff(ctx.lab, ctx.evidence)


def pool_status(ctx: ToolContext) -> Any:
    return collected.pool_section(ctx.lab) or "no pool is known for this lab's catalog item"


def automation_jobs(ctx: ToolContext) -> Any:
    found = collected.jobs_section(ctx.lab)
    return found or "no failed automation job of this catalog item in the last 2 days"


def lab_sessions(ctx: ToolContext) -> Any:
    return collected.sessions_section(ctx.lab) or "no session running or in the next 7 days"


def smoke_tests(ctx: ToolContext) -> Any:
    return collected.smoke_section(ctx.lab) or "no smoke-test result in the last 2 days"


def _schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


_KIND = {"type": "string", "enum": list(OBJECT_KINDS)}
TOOLS: dict[str, tuple[Callable[..., Any], str, dict[str, Any]]] = {
    "automation_jobs": (
        automation_jobs,
        "The failed AAP jobs of the lab's catalog item in the last 2 days: failing task, error.",
        _schema({}, []),
    ),
    "pool_status": (
        pool_status,
        "The lab's pool: available, ready, minimum, status, velocity, recent snapshots.",
        _schema({}, []),
    ),
    "lab_sessions": (
        lab_sessions,
        "The lab's sessions running now or in the next 7 days, with their attendees.",
        _schema({}, []),
    ),
    "smoke_tests": (
        smoke_tests,
        "The lab's smoke-test results of the last 2 days (passed, steps, error summary).",
        _schema({}, []),
    ),
    "list_events": (
        list_events,
        "The namespace's recent warning events, optionally for one object.",
        _schema({"involved_name": {"type": "string"}}, []),
    ),
    "lab_history": (
        lab_history,
        "The lab's recent state changes and its verdicts that are not ready.",
        _schema({}, []),
    ),
    "sibling_diff": (
        sibling_comparison,
        "What differs from healthy labs of the same catalog item (images, env var names, "
        "resource requests, nodes, storage classes).",
        _schema({}, []),
    ),
    "list_objects": (
        list_objects,
        "Compact summaries of the lab's objects of one kind.",
        _schema({"kind": _KIND}, ["kind"]),
    ),
    "get_object": (
        get_object,
        "One object of the lab, without managedFields and env values.",
        _schema({"kind": _KIND, "name": {"type": "string"}}, ["kind", "name"]),
    ),
    "pod_log_tail": (
        pod_log_tail,
        "The tail of a pod's log (the previous container's with previous=true).",
        _schema(
            {
                "pod": {"type": "string"},
                "previous": {"type": "boolean"},
                "tail_lines": {"type": "integer", "minimum": 1, "maximum": MAX_TAIL_LINES},
            },
            ["pod"],
        ),
    ),
}


def tool_specs() -> list[dict[str, Any]]:
    """The `tools` of the chat request (OpenAI function-calling shape)."""
    return [
        {
            "type": "function",
            "function": {"name": name, "description": text, "parameters": schema},
        }
        for name, (_, text, schema) in TOOLS.items()
    ]


def tool_run(ctx: ToolContext, name: str, arguments: dict[str, Any], limit: int) -> str:
    """The tool's result as redacted, capped text. Raises `KeyError` for a tool that does not
    exist (nothing runs) and `ToolError` when the tool cannot answer."""
    function, _, schema = TOOLS[name]
    allowed = set(schema["properties"])
    unknown = sorted(set(arguments) - allowed)
    if unknown:
        raise ToolError(f"unknown arguments {unknown} (allowed: {sorted(allowed)})")
    missing = [a for a in schema["required"] if a not in arguments]
    if missing:
        raise ToolError(f"missing arguments {missing}")
    try:
        result = function(ctx, **arguments)
    except (TypeError, ValueError) as exc:
        raise ToolError(f"bad arguments: {exc}") from exc
    text = (
        result
        if isinstance(result, str)
        else json.dumps(
            without_env_values(redact(result)), sort_keys=True, default=str, ensure_ascii=False
        )
    )
    return clean_text(text, limit=limit)
