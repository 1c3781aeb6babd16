"""The fleet snapshot: lab counts and the fleet overview's parts, computed once per change.

Every fleet overview and labs table view, and every live push, reads it from the cache (Redis in
production, shared by every process). The processes that change what it shows refresh it after
their commit: the broadcast of lab status changes (`stargate.realtime`) and the end of every scan
run (reachability, nodes, last scans, labs found or torn down). A page view computes it only when
the cache has none; the lifetime bounds what no writer announces (an admin's edit, say).

Readers store what they compute with `cache.add`, writers with `cache.set`: a reader's snapshot
may predate a writer's commit, and must not replace the writer's newer one.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from labs import selectors
from labs.models import Status

FLEET_COUNTS_KEY = "labs:fleet-counts"
FLEET_PARTS_KEY = "labs:fleet-parts"
FLEET_SECONDS = 30
FLEET_TEMPLATE = "dashboard/fleet_overview.html"
FLEET_PARTS = ("status-counters", "cluster-table", "failure-classes", "recent-changes")


def fleet_counts() -> dict[str, Any]:
    """Labs by status, by failure class and by cluster (`selectors.fleet_counts_query`)."""
    counts: dict[str, Any] | None = cache.get(FLEET_COUNTS_KEY)
    if counts is None:
        counts = selectors.fleet_counts_query()
        cache.add(FLEET_COUNTS_KEY, counts, FLEET_SECONDS)
    return counts


def fleet_parts() -> dict[str, SafeString]:
    """The fleet overview's parts as HTML, by part name with underscores (`status_counters`)."""
    parts: dict[str, SafeString] | None = cache.get(FLEET_PARTS_KEY)
    if parts is None:
        parts = _parts_render(fleet_counts())
        cache.add(FLEET_PARTS_KEY, parts, FLEET_SECONDS)
    return parts


class FleetSnapshot(NamedTuple):
    counts: dict[str, Any]
    parts: dict[str, SafeString]


def fleet_refresh() -> FleetSnapshot:
    """Compute the snapshot anew and store it; call with committed state."""
    counts = selectors.fleet_counts_query()
    parts = _parts_render(counts)
    cache.set_many({FLEET_COUNTS_KEY: counts, FLEET_PARTS_KEY: parts}, FLEET_SECONDS)
    return FleetSnapshot(counts, parts)


def fleet_forget() -> None:
    cache.delete_many([FLEET_COUNTS_KEY, FLEET_PARTS_KEY])


def _parts_render(counts: dict[str, Any]) -> dict[str, SafeString]:
    """Each part carries `hx-swap-oob="true"`: the same HTML serves the page (where htmx ignores
    the attribute) and the live push (where it swaps the element with the same id)."""
    context = {
        "clusters": selectors.cluster_cards(counts),
        "status_counts": counts["status"],
        "failure_class_counts": counts["failure_classes"],
        "recent_changes": selectors.recent_changes(),
        "statuses": Status,
    }
    return {
        name.replace("-", "_"): render_to_string(f"{FLEET_TEMPLATE}#{name}", context)
        for name in FLEET_PARTS
    }
