"""What may be sent to a model: redacted, cleaned, size-capped text, delimited as data.

Every value put into a prompt passes `stargate.lib.redact` (structures with `redact`, text with
`redact_text`), then loses control characters and long base64 runs (spec 15.1), is cut to the
prompt's cap and is wrapped in `<user-data>`. The client redacts every message once more before
it leaves the process.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from rubrics_app.prompts import PLACEHOLDER, PromptDef
from stargate.lib.redact import REDACTED, redact, redact_text

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")
_DELIMITER = re.compile(r"</?\s*user-data[^>]*>", re.IGNORECASE)
# A masked PEM block keeps its BEGIN line, which a second redaction pass would take for a block
# without an END and mask to the end of the text (the rest of the evidence with it).
_MASKED_PEM = re.compile(r"-----BEGIN [A-Z0-9 ]*-----" + re.escape(REDACTED))
PEM_MASK = "[REDACTED PEM block]"


def _unmark_pem(text: str) -> str:
    return _MASKED_PEM.sub(PEM_MASK, text)


def clean_text(text: str, *, limit: int) -> str:
    """Redacted, without control characters, base64 runs or data delimiters, cut to `limit`."""
    text = _unmark_pem(redact_text(_unmark_pem(text)))
    text = _CONTROL.sub("", text)
    text = _BASE64_RUN.sub(REDACTED, text)
    text = _DELIMITER.sub("[user-data tag removed]", text)
    return text if len(text) <= limit else text[:limit] + " [cut]"


def without_env_values(value: Any) -> Any:
    """Environment variables keep their names, never their values, wherever an `env` list sits
    (`redact` does this for containers; a bundle may hold env lists of its own)."""
    if isinstance(value, dict):
        return {
            k: [_env_entry(e) for e in v]
            if k == "env" and isinstance(v, list)
            else without_env_values(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [without_env_values(item) for item in value]
    return value


def _env_entry(entry: Any) -> Any:
    return (
        {"name": entry.get("name", ""), "value": REDACTED} if isinstance(entry, dict) else REDACTED
    )


def value_text(value: Any) -> str:
    """A placeholder's value as text: strings as they are, anything else as redacted JSON."""
    if isinstance(value, str):
        return value
    cleaned = without_env_values(redact(value))
    return json.dumps(cleaned, sort_keys=True, default=str, ensure_ascii=False)


def wrap(name: str, text: str) -> str:
    return f'<user-data name="{name}">\n{text}\n</user-data>'


def render_messages(prompt: PromptDef, values: dict[str, Any]) -> list[dict[str, str]]:
    """The system and user messages of `prompt` with every placeholder filled, cleaned, wrapped."""
    given, declared = set(values), set(prompt.placeholders)
    if given != declared:
        raise ValueError(
            f"prompt {prompt.id}: values for {sorted(given)}, placeholders {sorted(declared)}"
        )
    filled = {
        name: wrap(name, clean_text(value_text(value), limit=prompt.max_chars_per_value))
        for name, value in values.items()
    }
    user = PLACEHOLDER.sub(lambda m: filled[m.group(1)], prompt.user_template)
    return [{"role": "system", "content": prompt.system}, {"role": "user", "content": user}]


def messages_redacted(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every message's text content redacted again: the last step before the network."""
    return [
        {**m, "content": _unmark_pem(redact_text(m["content"]))}
        if isinstance(m.get("content"), str)
        else m
        for m in messages
    ]


def digest(messages: list[dict[str, Any]]) -> str:
    """sha256 of the messages JSON (the spec's `prompt_hash`): what is stored instead of them."""
    payload = json.dumps(messages, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(payload).hexdigest()
