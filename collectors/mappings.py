"""Lab mappings (platform-contracts 3.3): patterns naming the lab of a namespace or a pool.

Derived from each Labagator lab every Labagator and Babylon cycle (`ci_base` rules 1-5, the
namespace and pool patterns, the AgnosticV path, the clusters of its event-scoped instances), and
GUID mappings (`guid:<base guid>`, pattern `sandbox-<guid>-*`) from ResourceClaims and Sandbox API
placements. Matching: shell-style globs; GUID mappings first, then the longest literal prefix,
ties on `lab_code`. A mapping written by hand (`source=manual`) is never replaced by a collector.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any

from collectors.conf import event_prefix
from collectors.http import obj
from collectors.models import LabMapping, ProvisionRecord, ScheduledLab
from labs.models import LabInstance
from stargate.lib.evidence import KubeObject

GUID_PREFIX = "guid:"
# A lab namespace's name (3.1): never a lab code
NAMESPACE_LIKE = re.compile(r"^(sandbox|showroom|ocp4-cluster|user)-", re.IGNORECASE)
GLOB_CHARS = re.compile(r"[*?\[]")
SLUG_SUFFIX_BASE = (("-cnv", "openshift-cnv"), ("-aws", "clusterplatform"))
CLOUD_BASE = {"cnv": "openshift-cnv", "aws": "clusterplatform"}
CLAIM_MAPPING_DAYS = 7  # a GUID mapping from a claim no longer listed is kept this long


def literal_prefix(pattern: str) -> str:
    match = GLOB_CHARS.search(pattern)
    return pattern[: match.start()] if match else pattern


def match_order(mapping: LabMapping) -> tuple[int, int, str]:
    guid_first = 0 if mapping.lab_code.startswith(GUID_PREFIX) else 1
    return (guid_first, -len(literal_prefix(mapping.namespace_pattern)), mapping.lab_code)


def mapping_match(namespace: str, mappings: Iterable[LabMapping]) -> LabMapping | None:
    """The mapping naming `namespace`: GUID mappings first, then the longest literal prefix,
    ties broken on `lab_code`."""
    hits = [
        m for m in mappings if m.namespace_pattern and fnmatchcase(namespace, m.namespace_pattern)
    ]
    return min(hits, key=match_order) if hits else None


SANDBOX = re.compile(r"^sandbox-([a-z0-9]+)-(.+)$")


class MappingIndex:
    """`mapping_match` over many mappings: GUID mappings with their standard pattern
    (`sandbox-<guid>-*`, one per claim) are looked up by the namespace's GUID, not globbed."""

    def __init__(self, mappings: Iterable[LabMapping]) -> None:
        self.by_guid: dict[str, LabMapping] = {}
        self.patterns: list[LabMapping] = []
        for mapping in mappings:
            base = mapping.lab_code.removeprefix(GUID_PREFIX)
            standard = f"sandbox-{base}-*"
            if mapping.lab_code.startswith(GUID_PREFIX) and mapping.namespace_pattern == standard:
                self.by_guid[base] = mapping
            else:
                self.patterns.append(mapping)

    def match(self, namespace: str, *, guids: bool = True) -> LabMapping | None:
        candidates = self.patterns
        found = SANDBOX.match(namespace)
        if guids and found and found.group(1) in self.by_guid:
            candidates = [self.by_guid[found.group(1)], *candidates]
        if not guids:
            candidates = [m for m in candidates if not m.lab_code.startswith(GUID_PREFIX)]
        return mapping_match(namespace, candidates)


def pool_mapping(pool_name: str, mappings: Iterable[LabMapping]) -> LabMapping | None:
    hits = [m for m in mappings if m.pool_pattern and fnmatchcase(pool_name, m.pool_pattern)]
    return min(hits, key=lambda m: (-len(literal_prefix(m.pool_pattern)), m.lab_code), default=None)


def mapping_problems(
    lab_code: str, namespace_pattern: str, pool_pattern: str = ""
) -> dict[str, str]:
    """What makes a mapping invalid, per field (empty: valid)."""
    problems = {}
    code = lab_code.strip()
    if not code:
        problems["lab_code"] = "A lab code is required."
    elif NAMESPACE_LIKE.match(code) or LabInstance.objects.filter(namespace=code).exists():
        problems["lab_code"] = "A namespace name is not a lab code."
    elif code.startswith(GUID_PREFIX) and not re.fullmatch(r"guid:[a-z0-9]+", code):
        problems["lab_code"] = "A GUID mapping is guid:<base guid> (lower-case letters, digits)."
    for field, pattern in (
        ("namespace_pattern", namespace_pattern),
        ("pool_pattern", pool_pattern),
    ):
        if pattern and (pattern.count("[") != pattern.count("]") or " " in pattern):
            problems[field] = "Not a shell-style pattern."
    return problems


# --- derivation from Labagator labs ---------------------------------------------------------


def carried_lab(name: str) -> str:
    """The lab an AnarchySubject or pool name carries (3.1): its second dot segment; if it starts
    with `lb`, its first dash segment upper-cased."""
    parts = name.split(".")
    if len(parts) < 2:
        return ""
    segment = parts[1]
    return segment.split("-")[0].upper() if segment.lower().startswith("lb") else segment


def ci_base_for(*, slug: str, cloud: str, governors: Sequence[str] = ()) -> str:
    """`ci_base` (3.3), first hit of rules 1-5."""
    for governor in governors:  # (1) an event-scoped AnarchySubject of the lab
        if governor.split(".")[0]:
            return governor.split(".")[0]
    for suffix, base in SLUG_SUFFIX_BASE:  # (2) the slug's suffix
        if slug.endswith(suffix):
            return base
    if slug.endswith("-tenant"):
        return slug
    cloud_key = cloud.strip().lower()
    if cloud_key in CLOUD_BASE:  # (3) the cloud
        return CLOUD_BASE[cloud_key]
    if cloud_key == "tenant namespace":  # (4)
        return slug
    return ""  # (5)


def derived_fields(
    scheduled: ScheduledLab, records: Sequence[ProvisionRecord], prefix: str
) -> dict[str, Any]:
    """The mapping fields of one Labagator lab; `records` are the event-scoped subjects
    carrying its code or slug."""
    slug = scheduled.slug
    base = ci_base_for(
        slug=slug, cloud=scheduled.cloud, governors=[r.governor for r in records if r.governor]
    )
    event = scheduled.ci_name.split(".", 1)[0] if "." in scheduled.ci_name else prefix
    clusters = sorted({r.workload_cluster_name or r.hub.name for r in records})
    return {
        "ci_name": scheduled.ci_name[:253],
        "ci_base": base[:200],
        "ci_slug": slug[:253],
        "namespace_pattern": f"sandbox-*-{base}"[:253] if base else "",
        "pool_pattern": f"{base}.*"[:253] if base else "",
        "agnosticv_path": f"{event}/{slug}"[:300] if event and slug else "",
        "cloud": scheduled.cloud[:63],
        "clusters": clusters,
        "lab": scheduled.lab,
    }


def _event_records(prefix: str) -> list[ProvisionRecord]:
    records = ProvisionRecord.objects.select_related("hub").only(
        "name", "governor", "workload_cluster_name", "hub__name"
    )
    return [r for r in records if prefix and (prefix in r.name or prefix in r.governor)]


def labagator_mappings_refresh(now: datetime) -> int:
    """Upsert the mapping of every scheduled lab; drop derived mappings of labs gone. Hand-written
    mappings are kept as they are."""
    prefix = event_prefix()
    by_carried: dict[str, list[ProvisionRecord]] = {}
    for record in _event_records(prefix):
        by_carried.setdefault(carried_lab(record.name).lower(), []).append(record)
    manual = set(
        LabMapping.objects.exclude(source=LabMapping.Source.LABAGATOR).values_list(
            "lab_code", flat=True
        )
    )
    kept = []
    for scheduled in ScheduledLab.objects.select_related("lab"):
        code = scheduled.lab_code
        if code in manual or NAMESPACE_LIKE.match(code):
            continue
        own = by_carried.get(code.lower(), []) + by_carried.get(scheduled.slug.lower(), [])
        LabMapping.objects.update_or_create(
            lab_code=code[:63],
            defaults={
                **derived_fields(scheduled, own, prefix),
                "source": LabMapping.Source.LABAGATOR,
                "updated_at": now,
            },
        )
        kept.append(code)
    LabMapping.objects.filter(source=LabMapping.Source.LABAGATOR).exclude(
        lab_code__in=kept
    ).delete()
    return len(kept)


# --- GUID mappings ---------------------------------------------------------------------------


def guid_mapping_write(
    *,
    guid: str,
    source: str,
    fields: dict[str, Any],
    now: datetime,
    existing: dict[str, LabMapping] | None = None,
) -> None:
    """A GUID mapping `guid:<base guid>` → `sandbox-<guid>-*`; never over a hand-written one.
    With `existing` (the GUID mappings by code), an unchanged mapping refreshed within a day is
    not written again."""
    base = guid.split("-")[0]
    if not re.fullmatch(r"[a-z0-9]+", base):
        return
    code = f"{GUID_PREFIX}{base}"
    wanted = {**fields, "namespace_pattern": f"sandbox-{base}-*", "source": source}
    if existing is not None:
        old = existing.get(code)
        if old is not None and (old.source == LabMapping.Source.MANUAL or _fresh(old, wanted, now)):
            return
    elif LabMapping.objects.filter(lab_code=code, source=LabMapping.Source.MANUAL).exists():
        return
    LabMapping.objects.update_or_create(lab_code=code, defaults={**wanted, "updated_at": now})


def _fresh(mapping: LabMapping, wanted: dict[str, Any], now: datetime) -> bool:
    same = all(getattr(mapping, key) == value for key, value in wanted.items())
    return same and mapping.updated_at > now - timedelta(days=1)


def claim_mapping_fields(claim: KubeObject, catalog_item: str) -> dict[str, Any]:
    """GUID mapping fields of a ResourceClaim (3.3)."""
    summary = obj(obj(claim.get("status")).get("summary"))
    agnosticv = obj(summary.get("agnosticv"))
    parts = catalog_item.split(".")
    short = parts[1] if len(parts) >= 3 else catalog_item
    return {
        "ci_name": str(agnosticv.get("short_name") or short.replace("-", " ").title())[:253],
        "ci_base": short[:200],
        "ci_slug": catalog_item[:253],  # the governor: the full catalog item name (3.1)
        "agnosticv_path": str(agnosticv.get("path") or "")[:300],
    }


def claim_mappings_refresh(claims: Sequence[KubeObject], now: datetime) -> int:
    """A GUID mapping per claim bound to a handle `guid-<guid>`; claim mappings not refreshed
    for `CLAIM_MAPPING_DAYS` are dropped."""
    existing = {m.lab_code: m for m in LabMapping.objects.filter(lab_code__startswith=GUID_PREFIX)}
    written = 0
    for claim in claims:
        handle = str(obj(obj(claim.get("status")).get("resourceHandle")).get("name") or "")
        if not handle.startswith("guid-"):
            continue
        labels = obj(obj(claim.get("metadata")).get("labels"))
        summary = obj(obj(claim.get("status")).get("summary"))
        item = str(
            labels.get("babylon.gpte.redhat.com/catalogItemName")
            or summary.get("catalog_item_name")
            or ""
        )
        fields = claim_mapping_fields(claim, item)
        guid_mapping_write(
            guid=handle.removeprefix("guid-"),
            source=LabMapping.Source.CLAIM,
            fields=fields,
            now=now,
            existing=existing,
        )
        written += 1
    LabMapping.objects.filter(
        source=LabMapping.Source.CLAIM, updated_at__lt=now - timedelta(days=CLAIM_MAPPING_DAYS)
    ).delete()
    return written
