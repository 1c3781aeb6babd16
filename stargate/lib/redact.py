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

import logging
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
_CONTAINER_LISTS = frozenset({"containers", "initContainers", "ephemeralContainers"})

# Free text: one combined pattern, one pass; `_mask` decides on each match. Every alternative
# starts with a literal or a small set, so the pattern fails fast at ordinary characters.
_KEYWORD = r"(?i:password|passwd|pwd|secret|token|key|credential|auth)"
_VALUE = (  # escaped-quoted, double-quoted, single-quoted, or up to a blank or a quote
    r"""\\"(?:[^\\\n]|\\(?!"))*(?:\\")?|"(?:[^"\\\n]|\\.)*"?|'[^'\n]*'?"""
    r"""|(?:[^\s"'\\]|\\(?!["']))+"""
)
_FREE_TEXT = re.compile(
    r"(?P<pem>-----BEGIN [A-Z0-9 ]*-----)[\s\S]*?(?:-----END [A-Z0-9 ]*-----|\Z)"
    r"|(?P<url>://)[^/\s?#]*@"  # URL userinfo
    r"|(?P<jwt>eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*)"
    r"|(?P<shape>(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{22,}|glpat-[\w-]{20,}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}|(?:A[KS]IA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)"
    r"[A-Z0-9]{16}(?![A-Za-z0-9])))"
    r"|(?P<scheme>[Bb](?<!\w[Bb])(?i:earer|asic)\s+)[A-Za-z0-9._~+/=-]{8,}"
    # NAME=value: matched from the keyword on; `_mask` reads the NAME's start back.
    rf"|{_KEYWORD}[\w.-]*(?P<sep>\\?[\"']?[ \t]*[=:][ \t]*)"
    rf"(?P<prefix>(?i:(?:bearer|basic)[ \t]+))?(?P<value>{_VALUE})"
)
# Ordinary words that hold a keyword ("unauthorized: ...") do not name a secret.
_HARMLESS_WORDS = re.compile(
    r"(?i)unauthori[sz]ed|authori[sz]ed|authority|authenticat\w*|author|keycloak|keyboard|monkey"
)
_STRONG_NAME = re.compile(r"(?i)password|passwd|pwd|secret|token|credential")
_WEAK_NAME = re.compile(r"(?i)key|auth")
_NAME_CHARACTERS = frozenset("_.-")

# One cheap scan of the lower-cased text decides whether it needs the combined pass.
_MAYBE_SECRET_IN_TEXT = re.compile(
    r"p(?:ass|wd)|secret|token|key|credential|a(?:uth|[kgs]ia|i[dp]a|roa|n[pv]a|bia|cca)"
    r"|b(?:earer|asic)|://|eyj|-----begin|g(?:h[pousr]_|ithub_pat_|lpat-)|xox"
)


@lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """Whether a field name looks like it holds a secret (names repeat: cached)."""
    return name not in _NOT_SECRET_NAME and bool(_SECRET_NAME.search(name))


def redact_text(text: str) -> str:
    """Mask secrets embedded in free text (event messages, conditions, errors): `NAME=value`,
    `NAME: value` and `"NAME": "value"` where NAME holds password, passwd, pwd, secret, token,
    key, credential or auth; URL userinfo; `Bearer`/`Basic` credentials; JWTs; PEM blocks;
    GitHub, GitLab, AWS access key and Slack token shapes."""
    if len(text) < 8:
        return text
    return _redact_text(text)


def _redact_any_text(text: str) -> str:
    if not _MAYBE_SECRET_IN_TEXT.search(text.lower()):
        return text
    return _FREE_TEXT.sub(_mask, text)


# Reasons, images, label values repeat across thousands of objects.
_redact_text = lru_cache(maxsize=65536)(_redact_any_text)


def redact_url(url: str) -> str:
    """A URL (well-formed or not) with everything between its scheme and its last `@` masked:
    for settings and configuration errors that name the URL they refuse."""
    if "@" not in url:
        return _redact_any_text(url)
    scheme, _, rest = url.rpartition("://") if "://" in url else ("", "", url)
    host = rest.rpartition("@")[2]
    return f"{scheme}{'://' if scheme else ''}{REDACTED}@{host}"


class RedactingFormatter(logging.Formatter):
    """Log lines (messages and tracebacks) with the free-text rules applied: a URL's userinfo,
    a token or a `password=` never reaches the logs (uncached: log lines do not repeat)."""

    def format(self, record: logging.LogRecord) -> str:
        return _redact_any_text(super().format(record))


def _mask(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if kind == "value":
        return _mask_assignment(match)
    if kind == "pem":
        return f"{match['pem']}{REDACTED}"
    if kind == "url":
        return f"://{REDACTED}@"
    if kind == "scheme":
        return f"{match['scheme']}{REDACTED}"
    return REDACTED  # jwt, shape


def _mask_assignment(match: re.Match[str]) -> str:
    text, start = match.string, match.start()
    while start and (text[start - 1].isalnum() or text[start - 1] in _NAME_CHARACTERS):
        start -= 1  # back to the NAME's first character
    name = text[start : match.start("sep")]
    head = text[match.start() : match.start("prefix") if match["prefix"] else match.start("value")]
    prefix, value = match["prefix"] or "", match["value"]
    plain_colon = match["sep"].endswith(":") and value[:1] not in "\"'\\"  # `image:tag`
    in_path = start > 0 and text[start - 1] == "/"  # `quay.io/org/keycloak-token:1.0`
    if in_path or not _names_secret(name, plain_colon=plain_colon):
        # Not a secret's name; what follows may still hold a token or a credential.
        return head + _FREE_TEXT.sub(_mask, prefix + value)
    head += prefix
    for quote in ('\\"', '"', "'"):
        if value.startswith(quote):
            return f"{head}{quote}{REDACTED}{quote if value.endswith(quote) else ''}"
    return head + REDACTED


def _names_secret(name: str, *, plain_colon: bool) -> bool:
    """Whether NAME names a secret: any holding password, secret, token...; one holding only
    key or auth unless inside an ordinary word (`unauthorized: ...`) or followed by a colon
    with no blank or quote after it (`monkey-key:1.0` is an image reference)."""
    if _STRONG_NAME.search(name):
        return True
    return not plain_colon and bool(_WEAK_NAME.search(_HARMLESS_WORDS.sub("", name)))


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
