"""The failure signature: what a failure is, without what names the lab.

Two labs failing for the same cause (same rubric, criterion, kind, reason, the same message once
names and numbers are normalized, the same evidence once lab names are taken out) share one
signature, so the answer cache makes the model call once for all of them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

# Fields that name or date one object rather than describe the failure.
IDENTITY_KEYS = frozenset(
    {
        "name",
        "namespace",
        "generateName",
        "uid",
        "resourceVersion",
        "creationTimestamp",
        "lastTransitionTime",
        "lastProbeTime",
        "lastUpdateTime",
        "lastHeartbeatTime",
        "firstTimestamp",
        "lastTimestamp",
        "eventTime",
        "startedAt",
        "finishedAt",
        "startTime",
        "nodeName",
        "hostIP",
        "podIP",
        "podIPs",
        "containerID",
        "imageID",
        "ownerReferences",
        "managedFields",
        "labels",
        "annotations",
        "generation",
        "observedGeneration",
        "count",
    }
)

_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
_LAB_NAMESPACE = re.compile(r"\b(sandbox|showroom)-[a-z0-9-]+")
# A pod's generated suffix: `-<template hash>-<5>` or a 5-character `-<random>` with a digit.
_POD_SUFFIX = re.compile(
    r"\b([a-z][a-z0-9-]*?)-(?:[a-z0-9]{8,10}-[a-z0-9]{5}|(?=[a-z0-9]{0,4}\d)[a-z0-9]{5})\b"
)
_HEX = re.compile(r"\b(?=[a-f0-9]*\d)[a-f0-9]{6,}\b")
_IP = re.compile(r"\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b")
_NUMBER = re.compile(r"\d+(\.\d+)?")
_SPACE = re.compile(r"\s+")


def normalize_message(message: str, lab_names: Iterable[str] = ()) -> str:
    """The message with the lab's names, lab namespaces, uuids, hashes, addresses, pod-name
    suffixes and numbers replaced by placeholders."""
    text = message
    for name in sorted((n for n in lab_names if n), key=len, reverse=True):
        text = text.replace(name, "<lab>")
    text = _UUID.sub("<uuid>", text)
    text = _LAB_NAMESPACE.sub("<lab>", text)
    text = _IP.sub("<ip>", text)
    text = _POD_SUFFIX.sub(r"\1-<id>", text)
    text = _HEX.sub("<hex>", text)
    text = _NUMBER.sub("<n>", text)
    return _SPACE.sub(" ", text).strip()


def _strip(value: Any, lab_names: tuple[str, ...]) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v, lab_names) for k, v in sorted(value.items()) if k not in IDENTITY_KEYS}
    if isinstance(value, list):
        return [_strip(item, lab_names) for item in value]
    if isinstance(value, str):
        return normalize_message(value, lab_names)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "<n>"  # restart counts, sizes, ages: the same failure has other numbers elsewhere
    return value


def evidence_digest(evidence: Any, lab_names: Iterable[str] = ()) -> str:
    """sha256 of the evidence with identity fields dropped and names normalized."""
    stripped = _strip(evidence, tuple(lab_names))
    payload = json.dumps(stripped, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def failure_signature(
    *,
    rubric_id: str,
    criterion: str,
    kind: str,
    reason: str,
    message: str,
    evidence: Any,
    lab_names: Iterable[str] = (),
) -> str:
    """A 64-hex-digit signature of one failure, the same on every lab that fails this way."""
    names = tuple(lab_names)
    parts = [
        rubric_id,
        criterion,
        kind,
        reason,
        normalize_message(message, names),
        evidence_digest(evidence, names),
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()
