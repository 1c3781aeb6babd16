"""The result every object-semantics function returns, and the helpers they share."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from stargate.lib.evidence import KubeObject


class Health(StrEnum):
    READY = "ready"
    PROGRESSING = "progressing"
    SUSPENDED = "suspended"
    WARN = "warn"
    FAILED = "failed"


class ObjectHealth(NamedTuple):
    """One object's verdict.

    `since` is when the object's current state began, by the object's own timestamp, and only
    where that timestamp marks the start of this very state (a pod Unschedulable since, a
    namespace deleted at). Otherwise it is None and the engine times the state from when it first
    saw it at this `marker`: one snapshot cannot show a stall, so first sight is never a timeout.
    """

    kind: str
    name: str
    status: Health
    reason: str = ""
    message: str = ""
    since: datetime | None = None
    marker: str = ""  # changes whenever progress advances (a DataVolume's percentage)

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.name}"


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def name_of(obj: KubeObject) -> str:
    return str(obj.get("metadata", {}).get("name", ""))


def created_at(obj: KubeObject) -> datetime | None:
    return parse_time(obj.get("metadata", {}).get("creationTimestamp"))


def condition(obj: KubeObject, kind: str) -> dict[str, Any] | None:
    for cond in obj.get("status", {}).get("conditions") or ():
        if cond.get("type") == kind:
            return dict(cond)
    return None


def condition_since(cond: dict[str, Any] | None, obj: KubeObject) -> datetime | None:
    if cond is not None and (when := parse_time(cond.get("lastTransitionTime"))):
        return when
    return created_at(obj)


def false_since(cond: dict[str, Any] | None, obj: KubeObject) -> datetime | None:
    """When a condition that is not True became so. A condition not reported yet has never been
    True: the object's creation. A True condition says nothing about when trouble began."""
    if cond is None:
        return created_at(obj)
    if cond.get("status") == "True":
        return None
    return parse_time(cond.get("lastTransitionTime"))


def health(
    obj: KubeObject,
    status: Health,
    reason: str = "",
    message: str = "",
    since: datetime | None = None,
    marker: str = "",
) -> ObjectHealth:
    return ObjectHealth(obj.get("kind", ""), name_of(obj), status, reason, message, since, marker)
