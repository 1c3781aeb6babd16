"""Redaction of secrets from Kubernetes objects, before anything is stored or leaves the scanner.

Rules, applied at any depth of a JSON-like value:
- a field whose name looks like a password, token, key, secret or credential: value replaced;
- container `env` entries: `value` replaced (names kept; `valueFrom` dropped, it only names
  where a secret lives, but there is no need to keep it);
- container `args` and `command`: replaced as a whole (command lines carry passwords);
- `metadata.annotations`: keys kept, values replaced, except the few harmless annotations rubrics
  and remediation read (`KEPT_ANNOTATIONS`);
- any remaining string: `password=…`, `token: …`, `Bearer …` and URL credentials are masked.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

REDACTED = "[REDACTED]"

# Keys read by rubrics or remediation whose values are timestamps, node names or revisions.
KEPT_ANNOTATIONS: frozenset[str] = frozenset(
    {
        "kubectl.kubernetes.io/restartedAt",
        "deployment.kubernetes.io/revision",
        "volume.kubernetes.io/selected-node",
        "volume.kubernetes.io/storage-provisioner",
        "volume.beta.kubernetes.io/storage-provisioner",
        "pv.kubernetes.io/bind-completed",
        "cdi.kubevirt.io/storage.pod.phase",
        "cdi.kubevirt.io/storage.pod.restarts",
        "cdi.kubevirt.io/storage.condition.running",
        "cdi.kubevirt.io/storage.condition.running.reason",
        "cdi.kubevirt.io/storage.condition.running.message",
        "openshift.io/display-name",
        "openshift.io/requester",
    }
)

# Matches secret-looking field names: "password", "db_passwd", "apiToken", "sshKey",
# "client-secret", "credentials"; not "keyword" lookalikes such as "monkey" or "tokenizer".
_SECRET_NAME = re.compile(
    r"(?i)(pass(word|wd)?|secret|token|credential|private[_-]?key|api[_-]?key|access[_-]?key"
    r"|ssh[_-]?key|(^|[_-])key$|(?-i:[a-z]Key$)|auth$|authorization|cert(ificate)?$|kubeconfig)"
)
_NOT_SECRET_NAME = frozenset({"key", "keys"})  # a bare "key" is a label/selector key, not a secret
_SECRET_IN_TEXT = re.compile(
    r"(?i)\b((?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|credentials?)"
    r"[\"']?\s*[=:]\s*[\"']?)([^\s\"',;&]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@")
_CONTAINER_LISTS = frozenset({"containers", "initContainers", "ephemeralContainers"})


# One cheap scan decides whether a string needs the three precise ones below.
_MAYBE_SECRET_IN_TEXT = re.compile(r"(?i)pass|pwd|secret|token|key|credential|bearer|basic|://")


@lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """Whether a field name looks like it holds a secret (names repeat: cached)."""
    return name not in _NOT_SECRET_NAME and bool(_SECRET_NAME.search(name))


def redact_text(text: str) -> str:
    """Mask secrets embedded in free text (event messages, conditions)."""
    if len(text) < 8:
        return text
    return _redact_text(text)


@lru_cache(maxsize=65536)  # reasons, images, label values repeat across thousands of objects
def _redact_text(text: str) -> str:
    if not _MAYBE_SECRET_IN_TEXT.search(text):
        return text
    text = _SECRET_IN_TEXT.sub(lambda m: m.group(1) + REDACTED, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _URL_CREDENTIALS.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)


# `redact_text` of a string known to be 8 characters or longer (no wrapper call).
redact_long_text = _redact_text


def redact(value: Any) -> Any:
    """A redacted deep copy of a JSON-like value (see the module docstring for the rules)."""
    return _redact(value, parent="")


def redact_under(value: Any, parent: str) -> Any:
    """`redact` of a value found under field `parent` (container lists are redacted per
    container)."""
    return _redact(value, parent)


def redact_entry(key: str, item: Any) -> Any:
    """The redacted value of field `key` of a mapping (the rules depend on the key, not on
    where the mapping sits)."""
    cls = item.__class__
    if cls is str:
        if not item:
            return item
        if is_secret_name(key):
            return REDACTED
        return item if len(item) < 8 else _redact_text(item)
    if cls is dict:
        if key == "annotations":
            return _redact_annotations(item)
        if item and is_secret_name(key):
            return REDACTED
        return _redact_dict(item)
    if item is None or cls is bool or cls is int or cls is float:
        return item
    return _redact_field(key, item, "")


def _redact_dict(value: dict[str, Any]) -> dict[str, Any]:
    # The bulk of a Kubernetes object: strings, numbers and nested mappings under harmless
    # names; dispatched on exact types, the rest through the general rules.
    cleaned: dict[str, Any] = {}
    for key, item in value.items():
        cls = item.__class__
        if cls is str:
            if item and is_secret_name(key):
                cleaned[key] = REDACTED
            else:
                cleaned[key] = item if len(item) < 8 else _redact_text(item)
        elif cls is dict:
            if key == "annotations":
                cleaned[key] = _redact_annotations(item)
            elif item and is_secret_name(key):
                cleaned[key] = REDACTED
            else:
                cleaned[key] = _redact_dict(item)
        elif item is None or cls is bool or cls is int or cls is float:
            cleaned[key] = item
        else:
            cleaned[key] = _redact_field(key, item, "")
    return cleaned


def _redact(value: Any, parent: str) -> Any:
    if value.__class__ is dict:
        return _redact_dict(value)
    if isinstance(value, dict):
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            # Fast path for the bulk of fields: plain scalars under harmless names.
            if item is None or isinstance(item, bool | int | float):
                cleaned[key] = item
            elif isinstance(item, str) and not is_secret_name(key):
                cleaned[key] = redact_text(item)
            else:
                cleaned[key] = _redact_field(key, item, parent)
        return cleaned
    if isinstance(value, list):
        if parent in _CONTAINER_LISTS:
            return [_redact_container(item) for item in value]
        return [_redact(item, parent) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def _redact_annotations(value: dict[str, Any]) -> dict[str, Any]:
    return {
        name: (redact_text(str(item)) if name in KEPT_ANNOTATIONS else REDACTED)
        for name, item in value.items()
    }


def _redact_field(key: str, value: Any, parent: str) -> Any:
    if key == "annotations" and isinstance(value, dict):
        return _redact_annotations(value)
    if is_secret_name(key) and isinstance(value, str | dict | list) and value:
        return REDACTED
    return _redact(value, key)


def _redact_container(container: Any) -> Any:
    if not isinstance(container, dict):
        return _redact(container, "")
    cleaned: dict[str, Any] = {}
    for key, value in container.items():
        if key in ("args", "command") and value:
            cleaned[key] = [REDACTED]
        elif key == "env" and isinstance(value, list):
            cleaned[key] = [_redact_env(entry) for entry in value]
        else:
            cleaned[key] = _redact_field(key, value, "")
    return cleaned


def _redact_env(entry: Any) -> Any:
    if not isinstance(entry, dict):
        return REDACTED
    return {"name": entry.get("name", ""), "value": REDACTED}
