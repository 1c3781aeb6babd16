"""The loop: model → tool calls → results → … → a final JSON answer, within the step and time
caps (settings `INVESTIGATION_MAX_STEPS`, `INVESTIGATION_MAX_SECONDS`).

A step is one model call (through the LLM client: budget, breaker, redaction, retries, one
`LLMCall` row each). The last step offers no tools and asks for the answer. A tool call the
model makes is run only when it names one of `tools.TOOLS` (read-only, confined to the lab):
anything else (a shell, a delete) is stored as refused and the model is told so. Every tool
call, refusal and answer is stored as an `InvestigationStep` when it happens.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from labs.models import LabInstance, Status
from rubrics_app.classification.bundle import evidence_bundle
from rubrics_app.llm.client import LLMAnswer, llm_chat
from rubrics_app.llm.errors import LLMCallFailed, LLMError
from rubrics_app.llm.gate import gate_check
from rubrics_app.llm.hygiene import clean_text, render_messages
from rubrics_app.models import Evaluation, InvestigationRun, InvestigationStep, LLMCall
from rubrics_app.prompts import PromptDef, active_prompts
from rubrics_app.registry import scan_rubrics
from stargate.lib.redact import redact, redact_text

from .tools import LogReader, ToolContext, ToolError, tool_run, tool_specs

logger = logging.getLogger(__name__)
MAX_CALLS_PER_STEP = 4  # tool calls run from one model answer; more are refused
LAST_STEP = (
    "This is your last step: no more tools. Answer now with only the JSON object the "
    "instructions describe."
)
Run = InvestigationRun
Step = InvestigationStep


@dataclass
class _Loop:
    run: InvestigationRun
    ctx: ToolContext
    prompt: PromptDef
    deadline: float
    messages: list[dict[str, Any]]
    seen: list[Any] = field(default_factory=list)  # the evidence and every tool result


def investigation_execute(run_id: int, read_log: LogReader | None = None) -> InvestigationRun:
    """Run the investigation `run_id` to its end (the django-q2 task). Never raises for a model
    or tool failure: the run ends in `error`, `step_limit` or `time_limit` instead."""
    if read_log is None:
        from rubrics_app.classification.logs import pod_log_read

        read_log = pod_log_read
    run = Run.objects.select_related("lab_instance__cluster", "lab_instance__lab").get(pk=run_id)
    if run.status != Run.Status.QUEUED:
        return run
    run.status, run.started_at = Run.Status.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        loop = _start(run, read_log)
        _iterate(loop)
    except Exception as exc:  # a bug must not leave the run "running" forever
        logger.exception("investigation %s failed", run.pk)
        _finish(run, Run.Status.ERROR, error=f"{type(exc).__name__}: {exc}")
    return run


def _start(run: InvestigationRun, read_log: LogReader) -> _Loop:
    from scanning.models import LabEvidence

    lab = run.lab_instance
    stored = LabEvidence.objects.filter(lab_instance=lab).first()
    evidence = stored.evidence if stored is not None else {}
    bundle = _bundle(lab, evidence)
    prompt = active_prompts().get("investigate")
    values = {"lab": lab.namespace, "known_classes": sorted(scan_rubrics().classes)}
    messages = render_messages(prompt, {**values, "evidence": bundle})
    deadline = time.monotonic() + settings.INVESTIGATION_MAX_SECONDS
    ctx = ToolContext(lab=lab, evidence=evidence, read_log=read_log)
    return _Loop(run, ctx, prompt, deadline, messages, seen=[bundle])


def _bundle(lab: LabInstance, evidence: dict[str, Any]) -> dict[str, Any]:
    """The classification bundle of the lab's deciding verdict (without logs: a tool reads
    them), or a bare summary when no verdict is failing."""
    failing = Evaluation.objects.filter(lab_instance=lab).exclude(outcome=Status.READY)
    ranked = sorted(failing, key=lambda e: (e.outcome != Status.FAILED, e.rubric_id))
    if not ranked:
        return {"lab": {"status": lab.status, "failure_class": lab.failure_class}}
    return evidence_bundle(ranked[0], evidence)


def _iterate(loop: _Loop) -> None:
    max_steps = settings.INVESTIGATION_MAX_STEPS
    for number in range(1, max_steps + 1):
        remaining = loop.deadline - time.monotonic()
        if remaining <= 0:
            _finish(loop.run, Run.Status.TIME_LIMIT, error=_time_note(number - 1))
            return
        last = number == max_steps or loop.run.fallback
        reply = _ask(loop, number, remaining, last)
        if loop.run.status != Run.Status.RUNNING:
            return  # the call failed and ended the run
        if reply is None:
            continue  # a fallback: the next step is one plain call without tools
        _account(loop.run, number, reply.call)
        if reply.tool_calls and not last:
            _tools(loop, number, reply.content, reply.tool_calls, reply.call)
            continue
        if reply.parsed is not None:
            _answer(loop, number, reply.content, reply.parsed, reply.call, reply.finish_reason)
            return
        break
    _finish(loop.run, Run.Status.STEP_LIMIT, error=f"no answer within {max_steps} steps")


def _ask(loop: _Loop, number: int, remaining: float, last: bool) -> LLMAnswer | None:
    """The model's reply; None when the call failed (the run ended, or falls back)."""
    if last:
        loop.messages.append({"role": "user", "content": LAST_STEP})
    prompt = _bounded(loop.prompt, remaining)
    try:
        return llm_chat(
            prompt=prompt,
            messages=loop.messages,
            fingerprint=f"investigation-{loop.run.pk}",
            tools=None if last else tool_specs(),
            # No retry once a timeout would outlast the run's time.
            retries=0 if prompt.timeout_seconds != loop.prompt.timeout_seconds else None,
        )
    except LLMCallFailed as exc:
        _account(loop.run, number, exc.call)
        _step(loop.run, number, Step.Kind.ERROR, output=str(exc), call=exc.call, failed=True)
        _failed(loop, number, last, exc)
    except LLMError as exc:  # disabled, breaker open or budget spent: nothing was sent
        _finish(loop.run, Run.Status.ERROR, error=str(exc))
    return None


def _failed(loop: _Loop, number: int, last: bool, exc: LLMCallFailed) -> None:
    """After a failed call: the time cap, else a fallback to one plain call without tools (a
    tool-calling round the endpoint refused, or answered with no usable JSON: spec 19.1), else
    the end of the run. Transient failures were retried by the client already."""
    if time.monotonic() >= loop.deadline:
        _finish(loop.run, Run.Status.TIME_LIMIT, error=f"{_time_note(number)}: {exc}")
    elif not last and exc.call.outcome in (LLMCall.Outcome.ERROR, LLMCall.Outcome.PARSE_ERROR):
        loop.run.fallback = True
        loop.run.save(update_fields=["fallback"])
    else:
        status = Run.Status.STEP_LIMIT if last else Run.Status.ERROR
        _finish(loop.run, status, error=str(exc))


def _bounded(prompt: PromptDef, remaining: float) -> PromptDef:
    """The prompt with its timeout cut to the time the run has left."""
    timeout = prompt.timeout_seconds or settings.LLM_TIMEOUT_SECONDS
    return prompt.model_copy(update={"timeout_seconds": max(1, min(timeout, math.ceil(remaining)))})


def _time_note(steps: int) -> str:
    limit = settings.INVESTIGATION_MAX_SECONDS
    return f"stopped at the time limit ({limit} s) after {steps} step{'s' * (steps != 1)}"


def _account(run: InvestigationRun, number: int, call: LLMCall) -> None:
    run.steps_taken = number
    run.tokens += call.total_tokens
    run.cost_usd += call.cost_usd
    run.model = call.model
    run.save(update_fields=["steps_taken", "tokens", "cost_usd", "model"])


def _tools(
    loop: _Loop, number: int, content: str, calls: list[dict[str, Any]], call: LLMCall
) -> None:
    sent = [_clean_call(c, i) for i, c in enumerate(calls)]
    loop.messages.append({"role": "assistant", "content": content or None, "tool_calls": sent})
    for index, tool_call in enumerate(sent):
        started = time.monotonic()
        name, arguments = tool_call["function"]["name"][:100], _arguments(tool_call)
        kind, failed, output = Step.Kind.REFUSED, False, _refusal(name, index)
        if not output:  # a tool of ours: run it
            kind = Step.Kind.TOOL
            output, failed = _call_tool(loop, name, arguments)
        loop.seen.append(output)
        loop.messages.append(
            {"role": "tool", "tool_call_id": tool_call["id"], "name": name, "content": output}
        )
        _step(
            loop.run,
            number,
            kind,
            tool=name,
            arguments=arguments,
            output=output,
            call=call,
            failed=failed,
            ms=int((time.monotonic() - started) * 1000),
        )


def _clean_call(raw: dict[str, Any], index: int) -> dict[str, Any]:
    function = raw.get("function") or {}
    return {
        "id": str(raw.get("id") or f"call_{index}"),
        "type": "function",
        "function": {
            "name": str(function.get("name") or ""),
            "arguments": str(function.get("arguments") or "{}"),
        },
    }


def _refusal(name: str, index: int) -> str:
    """Why this call is not run ("" when it is): a tool that does not exist (a shell, a write)
    or one call too many in a step."""
    from .tools import TOOLS

    if name not in TOOLS:
        return f"refused: there is no tool {name!r}; the tools are read-only: {', '.join(TOOLS)}"
    if index >= MAX_CALLS_PER_STEP:
        return f"refused: at most {MAX_CALLS_PER_STEP} tool calls per step"
    return ""


def _arguments(tool_call: dict[str, Any]) -> dict[str, Any]:
    try:
        parsed = json.loads(tool_call["function"]["arguments"] or "{}")
    except ValueError:
        return {"_raw": tool_call["function"]["arguments"][:500]}
    return parsed if isinstance(parsed, dict) else {"_raw": parsed}


def _call_tool(loop: _Loop, name: str, arguments: dict[str, Any]) -> tuple[str, bool]:
    limit = settings.INVESTIGATION_TOOL_OUTPUT_CHARS
    try:
        return tool_run(loop.ctx, name, arguments, limit), False
    except ToolError as exc:
        return clean_text(f"error: {exc}", limit=limit), True


def _step(
    run: InvestigationRun,
    number: int,
    kind: str,
    *,
    tool: str = "",
    arguments: dict[str, Any] | None = None,
    output: str = "",
    call: LLMCall | None = None,
    failed: bool = False,
    ms: int = 0,
) -> None:
    Step.objects.create(
        run=run,
        number=number,
        kind=kind,
        tool=tool,
        arguments=redact(arguments or {}),
        output=redact_text(output)[: settings.INVESTIGATION_TOOL_OUTPUT_CHARS + 10],
        failed=failed,
        call=call,
        duration_ms=ms,
        at=timezone.now(),
    )


def _answer(
    loop: _Loop,
    number: int,
    content: str,
    answer: dict[str, Any],
    call: LLMCall,
    finish_reason: str,
) -> None:
    rubrics = scan_rubrics()
    known, actions = set(rubrics.classes), set(rubrics.actions.values())
    verdict = gate_check(
        prompt=loop.prompt,
        response=content,
        evidence=loop.seen,
        known_classes=known,
        action_names=actions,
        finish_reason=finish_reason,
    )
    _step(loop.run, number, Step.Kind.ANSWER, output=content, call=call)
    run = loop.run
    run.gate_outcome = verdict.outcome
    run.gate_failures = [f"{c.name}: {c.detail}".strip(": ") for c in verdict.failed]
    run.root_cause = redact_text(str(answer.get("root_cause", "")))[:500]
    if not verdict.accepted:  # shown with the gate's reasons, never acted upon
        run.verdict, run.remediation_suggestion = Run.Verdict.UNKNOWN, ""
    else:
        run.verdict = str(answer["verdict"])
        run.remediation_suggestion = redact_text(str(answer.get("remediation_suggestion", "")))
        named = str(answer.get("failure_class") or "")
        run.answer_class = named if named in known else ""
        cls = run.answer_class or run.failure_class
        if run.verdict == Run.Verdict.ACTIONABLE:
            run.action = rubrics.actions.get(cls, "")  # the catalog's, never the model's
    _finish(run, Run.Status.COMPLETE)


def _finish(run: InvestigationRun, status: str, *, error: str = "") -> None:
    run.status = status
    if status != Run.Status.COMPLETE:
        run.verdict = run.verdict or Run.Verdict.UNKNOWN
        run.root_cause = run.root_cause or "The investigation ended before the model answered."
    run.error = redact_text(error)[:500]
    run.completed_at = timezone.now()
    run.save()
