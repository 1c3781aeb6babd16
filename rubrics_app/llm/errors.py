"""What the LLM client raises. `LLMUnavailable` means "wait": nothing was sent, nothing is lost."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rubrics_app.models import LLMCall


class LLMError(Exception):
    pass


class LLMDisabled(LLMError):
    """No endpoint is configured (STARGATE_LLM_API_BASE is empty)."""


class LLMUnavailable(LLMError):
    """Refused before sending: the breaker is open, or a budget or the hourly cap is spent."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class LLMCallFailed(LLMError):
    """The call was made and recorded (`call`), and gave no usable answer."""

    def __init__(self, call: LLMCall) -> None:
        self.call = call
        super().__init__(
            f"{call.prompt_id}: {call.outcome} {call.error_type}: {call.error_message}"
        )
