"""The LLM client: LiteLLM, imported lazily, against the configured OpenAI-compatible endpoint.

One logical call = breaker and budget checks → redacted messages → HTTP with retries on 429, 5xx,
timeouts and connection errors (exponential backoff) → the answer validated against the prompt's
contract → at most one repair turn when it is not → one `LLMCall` row, whatever happened. A JSON
answer that is still invalid after the repair is recorded as `parse_error` and raises
`LLMCallFailed`: the caller stores no proposal. Parse errors do not count towards the breaker.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rubrics_app.models import LLMCall
from rubrics_app.prompts import PromptDef
from stargate import counters
from stargate.lib.redact import redact_text

from .answers import AnswerInvalid, answer_validate
from .budget import breaker_check, breaker_failure, breaker_success, budget_check
from .errors import LLMCallFailed, LLMDisabled
from .hygiene import digest, messages_redacted, render_messages

REPAIR_INSTRUCTION = (
    "Your previous answer was rejected: {problem}. Answer again with only the JSON object the "
    "instructions describe, no other text."
)
# Outcomes worth another try (and that count towards the breaker).
TRANSIENT = frozenset(
    {
        LLMCall.Outcome.TIMEOUT,
        LLMCall.Outcome.CONNECTION_ERROR,
        LLMCall.Outcome.RATE_LIMITED,
        LLMCall.Outcome.SERVER_ERROR,
    }
)


@dataclass(frozen=True)
class LLMAnswer:
    content: str
    parsed: dict[str, Any] | None  # the validated object of a JSON prompt's final answer
    tool_calls: list[dict[str, Any]]
    finish_reason: str
    call: LLMCall


@dataclass
class _Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 0
    model: str = ""
    finish_reason: str = ""
    failure: tuple[str, str, str] | None = None  # outcome, error type, message
    messages: list[dict[str, Any]] = field(default_factory=list)
    retries: int | None = None  # None: settings.LLM_RETRIES


def litellm_module() -> Any:
    """LiteLLM, imported on first use, never reaching the network for its cost map or telemetry."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_TELEMETRY", "False")
    import litellm

    litellm.telemetry = False
    litellm.suppress_debug_info = True
    return litellm


def llm_call(
    *,
    prompt: PromptDef,
    values: dict[str, Any],
    fingerprint: str = "",
    tools: list[dict[str, Any]] | None = None,
) -> LLMAnswer:
    """Render `prompt` with `values` (redacted, capped, delimited) and call the model."""
    return llm_chat(
        prompt=prompt,
        messages=render_messages(prompt, values),
        fingerprint=fingerprint,
        tools=tools,
    )


def llm_chat(
    *,
    prompt: PromptDef,
    messages: list[dict[str, Any]],
    fingerprint: str = "",
    tools: list[dict[str, Any]] | None = None,
    retries: int | None = None,
) -> LLMAnswer:
    """Call the model with ready messages (a tool loop's later turns). Raises `LLMDisabled`,
    `LLMUnavailable` (nothing sent) or `LLMCallFailed` (sent and recorded). `retries` overrides
    `LLM_RETRIES` (a loop with little time left makes one attempt)."""
    if not settings.LLM_API_BASE:
        raise LLMDisabled("no LLM endpoint is configured (STARGATE_LLM_API_BASE)")
    started = timezone.now()
    breaker_check(now=started)
    budget_check(now=started)
    usage = _Usage(messages=messages_redacted(messages), retries=retries)
    bundle_digest = digest(usage.messages)
    clock = time.monotonic()
    message, parsed, repaired = _converse(prompt, usage, tools)
    latency_ms = int((time.monotonic() - clock) * 1000)
    call = _record(
        prompt, usage, fingerprint, bundle_digest, latency_ms, started, message, repaired
    )
    if usage.failure is not None:
        raise LLMCallFailed(call)
    content = message.get("content") or ""
    tool_calls = list(message.get("tool_calls") or [])
    return LLMAnswer(content, parsed, tool_calls, usage.finish_reason, call)


def _converse(
    prompt: PromptDef, usage: _Usage, tools: list[dict[str, Any]] | None
) -> tuple[dict[str, Any], dict[str, Any] | None, bool]:
    """The final assistant message, its validated object, and whether a repair turn was made."""
    message = _send(prompt, usage, usage.messages, tools)
    if usage.failure is not None or prompt.response.format != "json" or message.get("tool_calls"):
        return message, None, False
    for repaired in (False, True):
        content = message.get("content") or ""
        try:
            if usage.finish_reason == "length":
                raise AnswerInvalid("the answer was cut off (finish_reason length)")
            return message, answer_validate(prompt.response, content), repaired
        except AnswerInvalid as exc:
            if repaired:
                usage.failure = (LLMCall.Outcome.PARSE_ERROR, "parse_error", str(exc))
                return message, None, True
            turn = [
                {"role": "assistant", "content": redact_text(content)},
                {"role": "user", "content": REPAIR_INSTRUCTION.format(problem=exc)},
            ]
            message = _send(prompt, usage, [*usage.messages, *turn], tools)
            if usage.failure is not None:
                return message, None, True
    raise AssertionError("unreachable")


def _request(prompt: PromptDef, messages: list[dict[str, Any]], tools: Any) -> dict[str, Any]:
    model = prompt.model or settings.LLM_MODEL
    kwargs: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "api_base": settings.LLM_API_BASE,
        "api_key": settings.LLM_API_KEY or "none",
        "max_tokens": prompt.max_tokens,
        "temperature": prompt.temperature,
        "timeout": prompt.timeout_seconds or settings.LLM_TIMEOUT_SECONDS,
        "num_retries": 0,  # the retries are ours: counted, with our backoff
        "max_retries": 0,
    }
    if tools:
        kwargs.update(tools=tools, tool_choice="auto")
    schema = prompt.response.answer_schema()
    if schema is not None and not tools and settings.LLM_RESPONSE_FORMAT == "json_schema":
        kwargs["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": prompt.id, "schema": schema},
        }
    elif schema is not None and not tools and settings.LLM_RESPONSE_FORMAT == "json_object":
        kwargs["response_format"] = {"type": "json_object"}
    if "qwen" in model.lower():
        kwargs["extra_body"] = {"chat_template_kwargs": {"enable_thinking": False}}
    return kwargs


def _send(
    prompt: PromptDef, usage: _Usage, messages: list[dict[str, Any]], tools: Any
) -> dict[str, Any]:
    """One answer, retrying transient failures; a final failure is left in `usage.failure`."""
    litellm = litellm_module()
    request = _request(prompt, messages_redacted(messages), tools)
    retries = settings.LLM_RETRIES if usage.retries is None else usage.retries
    for attempt in range(retries + 1):
        usage.attempts += 1
        try:
            response = litellm.completion(**request)
        except Exception as exc:  # LiteLLM maps every provider error to its own classes
            outcome, error_type = classify_error(exc)
            usage.failure = (outcome, error_type, redact_text(str(exc))[:500])
            if outcome not in TRANSIENT or attempt == retries:
                return {}
            time.sleep(settings.LLM_RETRY_BACKOFF_SECONDS * 2**attempt)
            continue
        usage.failure = None
        return _read_response(response, usage)
    return {}


def _read_response(response: Any, usage: _Usage) -> dict[str, Any]:
    choice = response.choices[0]
    if response.usage is not None:
        usage.prompt_tokens += int(response.usage.prompt_tokens or 0)
        usage.completion_tokens += int(response.usage.completion_tokens or 0)
    usage.model = str(response.model or "")
    usage.finish_reason = str(choice.finish_reason or "")
    message: dict[str, Any] = choice.message.model_dump()
    return message


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def classify_error(exc: Exception) -> tuple[str, str]:
    """(outcome, error type) of an exception LiteLLM raised. LiteLLM reports a refused
    connection as a 500: the chained cause (openai's, httpx's) says what happened."""
    litellm = litellm_module()
    import openai  # installed with LiteLLM, imported by it already

    causes = _causes(exc)
    status = getattr(exc, "status_code", None)
    if any(isinstance(c, litellm.Timeout | TimeoutError | httpx.TimeoutException) for c in causes):
        return LLMCall.Outcome.TIMEOUT, "timeout"
    if isinstance(exc, litellm.RateLimitError) or status == 429:
        return LLMCall.Outcome.RATE_LIMITED, "http_429"
    if any(isinstance(c, openai.APIConnectionError | httpx.TransportError) for c in causes):
        return LLMCall.Outcome.CONNECTION_ERROR, "connection_error"
    if isinstance(status, int) and status >= 500:
        return LLMCall.Outcome.SERVER_ERROR, f"http_{status}"
    if isinstance(status, int):
        return LLMCall.Outcome.ERROR, f"http_{status}"
    return LLMCall.Outcome.CONNECTION_ERROR, type(exc).__name__


def cost_usd(prompt_tokens: int, completion_tokens: int) -> float:
    return (
        prompt_tokens / 1000 * settings.LLM_PRICE_PROMPT_PER_1K
        + completion_tokens / 1000 * settings.LLM_PRICE_COMPLETION_PER_1K
    )


def _record(
    prompt: PromptDef,
    usage: _Usage,
    fingerprint: str,
    bundle_digest: str,
    latency_ms: int,
    started: datetime,
    message: dict[str, Any],
    repaired: bool,
) -> LLMCall:
    outcome = usage.failure[0] if usage.failure else LLMCall.Outcome.SUCCESS
    if usage.failure is None or outcome == LLMCall.Outcome.PARSE_ERROR:
        breaker_success()  # the endpoint answered: parse errors do not count
    elif outcome in TRANSIENT:
        breaker_failure(now=timezone.now())
    with transaction.atomic():
        call = _call_create(
            prompt, usage, fingerprint, bundle_digest, latency_ms, started, message, repaired
        )
        _count(call)
    return call


def _count(call: LLMCall) -> None:
    """The durable totals `/metrics` exports (platform-contracts 15.1 names and labels)."""
    endpoint = {"endpoint": call.prompt_id}
    success = "true" if call.outcome == LLMCall.Outcome.SUCCESS else "false"
    counters.counter_add("stargate_llm_calls", {**endpoint, "success": success})
    tokens = {"prompt": call.prompt_tokens, "completion": call.completion_tokens}
    counters.counters_add("stargate_llm_tokens", {k: float(n) for k, n in tokens.items()}, endpoint)
    counters.counter_add("stargate_llm_cost_usd", endpoint, call.cost_usd)
    counters.histogram_observe(
        "stargate_llm_call_duration_seconds",
        call.latency_ms / 1000,
        endpoint,
        counters.LLM_BUCKETS,
    )


def _call_create(
    prompt: PromptDef,
    usage: _Usage,
    fingerprint: str,
    bundle_digest: str,
    latency_ms: int,
    started: datetime,
    message: dict[str, Any],
    repaired: bool,
) -> LLMCall:
    outcome, error_type, error_message = usage.failure or (LLMCall.Outcome.SUCCESS, "", "")
    return LLMCall.objects.create(
        prompt_id=prompt.id,
        prompt_version=prompt.version,
        model=usage.model or prompt.model or settings.LLM_MODEL,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        total_tokens=usage.prompt_tokens + usage.completion_tokens,
        cost_usd=cost_usd(usage.prompt_tokens, usage.completion_tokens),
        latency_ms=latency_ms,
        attempts=usage.attempts,
        repaired=repaired,
        outcome=outcome,
        error_type=error_type,
        error_message=error_message,
        finish_reason=usage.finish_reason,
        fingerprint=fingerprint,
        bundle_digest=bundle_digest,
        response_preview=redact_text(str(message.get("content") or ""))[:500],
        called_at=started,
    )
