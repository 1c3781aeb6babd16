"""The identity of each lab namespace (platform-contracts 3.2): GUID → ResourceHandle
`guid-<guid>` or the claim bound to it → full catalog item, catalog namespace and AgnosticV path;
else the Sandbox API placement of the GUID (which writes a GUID mapping); else a lab mapping by
pattern (3.3, `collectors.mappings`); else the namespace suffix. The Labagator lab code comes from
the lab whose `ci_name` or slug names the catalog item, else from a mapping. Where a claim names a
catalog item, the lab instance is re-pointed to that item's `Lab` (the suffix was only a guess).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from collectors.http import obj
from collectors.mappings import GUID_PREFIX, MappingIndex, guid_mapping_write
from collectors.models import LabIdentity, LabMapping, SandboxPlacement, ScheduledLab
from labs.models import Lab, LabInstance
from stargate.lib.evidence import KubeObject

CATALOG_LABEL = "babylon.gpte.redhat.com/catalogItemName"
CATALOG_NS_LABEL = "babylon.gpte.redhat.com/catalogItemNamespace"
DISPLAY_NAME = "babylon.gpte.redhat.com/catalogItemDisplayName"


def short_name(catalog_item: str) -> str:
    parts = catalog_item.split(".")
    return parts[1] if len(parts) >= 3 else catalog_item


def _claim_facts(claim: KubeObject) -> dict[str, Any]:
    meta = obj(claim.get("metadata"))
    labels, notes = obj(meta.get("labels")), obj(meta.get("annotations"))
    summary = obj(obj(claim.get("status")).get("summary"))
    agnosticv = obj(summary.get("agnosticv"))
    return {
        "catalog_item": str(labels.get(CATALOG_LABEL) or summary.get("catalog_item_name") or ""),
        "catalog_namespace": str(labels.get(CATALOG_NS_LABEL) or ""),
        "agnosticv_repo": str(agnosticv.get("repo") or ""),
        "agnosticv_path": str(agnosticv.get("path") or ""),
        "display_name": str(notes.get(DISPLAY_NAME) or ""),
    }


def guid_index(handles: list[KubeObject], claims: list[KubeObject]) -> dict[str, dict[str, Any]]:
    """guid → identity facts, from each handle `guid-<guid>` and the claim bound to it."""
    claims_by_key = {
        (str(obj(c.get("metadata")).get("namespace")), str(obj(c.get("metadata")).get("name"))): c
        for c in claims
    }
    claims_by_handle = {
        str(obj(obj(c.get("status")).get("resourceHandle")).get("name")): c for c in claims
    }
    found: dict[str, dict[str, Any]] = {}
    for handle in handles:
        name = str(obj(handle.get("metadata")).get("name", ""))
        if not name.startswith("guid-"):
            continue
        guid = name.removeprefix("guid-")
        spec = obj(handle.get("spec"))
        bound = obj(spec.get("resourceClaim"))
        claim = claims_by_key.get((str(bound.get("namespace")), str(bound.get("name"))))
        claim = claim or claims_by_handle.get(name)
        if claim is not None:
            found[guid] = {**_claim_facts(claim), "resolved_by": LabIdentity.ResolvedBy.CLAIM}
        else:
            provider = str(obj(spec.get("provider")).get("name") or "")
            found[guid] = {"catalog_item": provider, "resolved_by": LabIdentity.ResolvedBy.HANDLE}
    for handle_name, claim in claims_by_handle.items():  # a claim whose handle was not listed
        guid = handle_name.removeprefix("guid-")
        if handle_name.startswith("guid-") and guid not in found:
            found[guid] = {**_claim_facts(claim), "resolved_by": LabIdentity.ResolvedBy.CLAIM}
    return found


def _fallback_facts(
    instance: LabInstance,
    placement: SandboxPlacement | None,
    mappings: MappingIndex,
    now: datetime,
) -> dict[str, Any]:
    """3.2 step 5, in order: the Sandbox API placement (which writes a GUID mapping), a lab
    mapping by pattern (3.3), the namespace suffix."""
    if placement is not None and placement.env_type:
        guid_mapping_write(
            guid=instance.guid,
            source=LabMapping.Source.PLACEMENT,
            fields={"ci_base": placement.env_type[:200], "owner": placement.owner[:253]},
            now=now,
        )
        return {
            "catalog_item": placement.env_type,
            "display_name": placement.display_name,
            "owner": placement.owner,
            "service_uuid": placement.service_uuid,
            "resolved_by": LabIdentity.ResolvedBy.PLACEMENT,
        }
    mapping = mappings.match(instance.namespace)
    if mapping is not None:
        guid = mapping.lab_code.startswith(GUID_PREFIX)
        item = mapping.ci_slug if guid else ""
        item = item or (mapping.lab.catalog_item if mapping.lab else instance.lab.catalog_item)
        return {
            "catalog_item": item,
            "agnosticv_path": mapping.agnosticv_path,
            "owner": mapping.owner,
            "lab_code": "" if guid else mapping.lab_code,
            "resolved_by": LabIdentity.ResolvedBy.MAPPING,
        }
    return {"catalog_item": instance.lab.catalog_item, "resolved_by": LabIdentity.ResolvedBy.SUFFIX}


def _lab_code(
    facts: dict[str, Any], instance: LabInstance, codes: dict[str, str], mappings: MappingIndex
) -> str:
    """3.2 step 4: the Labagator lab whose `ci_name` (or slug) or mapping matches."""
    if facts.get("lab_code"):
        return str(facts["lab_code"])
    item = str(facts["catalog_item"])
    code = codes.get(item) or codes.get(short_name(item))
    if code:
        return code
    mapping = mappings.match(instance.namespace, guids=False)
    return mapping.lab_code if mapping is not None else ""


def _scheduled_codes() -> dict[str, str]:
    codes: dict[str, str] = {}
    for scheduled in ScheduledLab.objects.exclude(ci_name="").order_by("lab_code"):
        codes.setdefault(scheduled.ci_name, scheduled.lab_code)
        codes.setdefault(scheduled.slug, scheduled.lab_code)
    return codes


def identities_resolve(
    handles: list[KubeObject], claims: list[KubeObject], now: datetime
) -> dict[str, int]:
    """Upsert the identity of every live lab instance; returns counts per `resolved_by`."""
    index = guid_index(handles, claims)
    placements = {p.guid: p for p in SandboxPlacement.objects.exclude(guid="")}
    mappings = MappingIndex(LabMapping.objects.select_related("lab"))
    codes = _scheduled_codes()
    labs = {lab.catalog_item: lab for lab in Lab.objects.all()}
    counts: Counter[str] = Counter()
    instances = LabInstance.objects.filter(deleted_at=None).select_related("lab", "cluster")
    for instance in instances:
        facts = index.get(instance.guid) or index.get(instance.guid.split("-")[0]) or {}
        if not facts.get("catalog_item"):
            placement = placements.get(instance.guid)
            facts = _fallback_facts(instance, placement, mappings, now)
        item = str(facts["catalog_item"])
        LabIdentity.objects.update_or_create(
            cluster=instance.cluster,
            namespace=instance.namespace,
            defaults={
                "instance": instance,
                "guid": instance.guid,
                "service_uuid": str(facts.get("service_uuid") or "")[:63],
                "catalog_item": item[:253],
                "catalog_short_name": short_name(item)[:200],
                "catalog_namespace": str(facts.get("catalog_namespace") or "")[:63],
                "agnosticv_repo": str(facts.get("agnosticv_repo") or "")[:300],
                "agnosticv_path": str(facts.get("agnosticv_path") or "")[:300],
                "lab_code": _lab_code(facts, instance, codes, mappings)[:63],
                "display_name": str(facts.get("display_name") or "")[:253],
                "owner": str(facts.get("owner") or "")[:253],
                "resolved_by": facts["resolved_by"],
                "updated_at": now,
            },
        )
        counts[str(facts["resolved_by"])] += 1
        short = short_name(item)
        if (
            facts["resolved_by"] == LabIdentity.ResolvedBy.CLAIM
            and short != instance.lab.catalog_item
        ):
            lab = labs.get(short) or Lab.objects.create(catalog_item=short[:200])
            labs[short] = lab
            LabInstance.objects.filter(pk=instance.pk).update(lab=lab)
    return dict(counts)
