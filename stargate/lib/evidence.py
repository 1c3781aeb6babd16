"""The evidence contract between the scanner and the rubric engine.

The scanner reads whole clusters, then hands the rubric engine one `NamespaceEvidence` per lab
namespace. Objects keep their Kubernetes shape (apiVersion, kind, metadata, spec, status),
trimmed to the fields the rubrics read and redacted of secrets, so the engine's object semantics
can be tested directly on real captures (`../shared/fixtures`) and on what the simulator serves.
"""

from __future__ import annotations

from typing import Any, TypedDict

KubeObject = dict[str, Any]


class ShowroomProbe(TypedDict, total=False):
    """A real HTTP probe of the lab's showroom route."""

    url: str
    readyz_status: int | None  # HTTP status of /readyz, None when unreachable
    content_ok: bool  # the expected content marker was found
    response_ms: float | None
    consecutive_failures: int
    error: str


class ClusterHealth(TypedDict, total=False):
    """Tier-1 facts about the cluster the namespace lives on."""

    reachable: bool
    nodes_total: int
    nodes_ready: int
    nodes_not_ready: list[str]  # names; absent from evidence recorded before it existed
    nodes_with_pressure: list[str]
    cpu_used_pct: float | None
    memory_used_pct: float | None
    critical_alerts: list[str]


class LabContext(TypedDict, total=False):
    """What the lab's catalog entry says, as far as rubrics care."""

    catalog_item: str
    requires_guest_agent: bool


class SmokeResult(TypedDict, total=False):
    """An external smoke-test run of the lab (Demolition, pulled or pushed; `collectors`)."""

    source: str  # pull | push
    session: str
    passed: bool | None  # None: the session has no run yet
    steps_passed: int
    steps_failed: int
    error_summary: str
    finished_at: str  # ISO 8601


class NamespaceEvidence(TypedDict, total=False):
    cluster: str
    namespace: str
    collected_at: str  # ISO 8601, UTC
    namespace_object: KubeObject | None  # None: the namespace is gone
    # scanning.kinds.EVIDENCE_KINDS → trimmed, redacted objects
    objects: dict[str, list[KubeObject]]
    showroom: ShowroomProbe | None
    cluster_health: ClusterHealth | None
    lab: LabContext
    smoke_results: list[SmokeResult]  # newest first; absent when there is none
    stale: bool  # the cluster was unreachable: the engine must answer STALE, never READY
