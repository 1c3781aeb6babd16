"""Writes other apps (and the API) ask the collectors for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from collectors.models import LabMapping, ScheduledLab, SmokeTestResult
from collectors.runner import mask
from collectors.selectors import smoke_results_for
from labs.models import Lab, LabInstance
from labs.selectors import OPERATORS, Audience, visible_labs
from rubrics_app.services import lab_instances_evaluate
from scanning.models import LabEvidence
from stargate.lib.evidence import NamespaceEvidence

MAX_EVALUATED = 100


@dataclass(frozen=True)
class Pushed:
    result: SmokeTestResult
    evaluated: int
    facts: dict[str, bool]


def lab_for_code(lab_code: str) -> Lab | None:
    """A lab code's catalog entry: through the schedule (Labagator/Launchpad), else a lab whose
    catalog item is the code itself."""
    scheduled = ScheduledLab.objects.filter(lab_code__iexact=lab_code).exclude(lab=None).first()
    if scheduled is not None:
        return scheduled.lab
    return Lab.objects.filter(catalog_item__iexact=lab_code).first()


class PushRefused(Exception):
    """A push for a lab the key's owner does not see: answered as if the lab did not exist."""

    detail = "No lab with that code is visible to you."


def smoke_result_push(
    *,
    source: str,
    lab_code: str,
    cluster_name: str,
    outcome: str,
    workshop_url: str,
    error_summary: str,
    session_id: str,
    session_name: str,
    steps_passed: int,
    steps_failed: int,
    now: datetime,
    audience: Audience = OPERATORS,
) -> Pushed:
    """Store a pushed smoke-test result (spec 9) and evaluate the lab's instances with it.

    A team's key pushes only for its teams' labs (`PushRefused` otherwise, an unknown code too);
    a platform operator's key for any lab code."""
    lab = lab_for_code(lab_code)
    if not audience.everything and (
        lab is None or not visible_labs(audience).filter(pk=lab.pk).exists()
    ):
        raise PushRefused(lab_code)
    instances = list(
        LabInstance.objects.filter(lab=lab, deleted_at=None).select_related("cluster", "lab")
        if lab is not None
        else []
    )
    if cluster_name:
        instances = [i for i in instances if i.cluster.name == cluster_name]
    facts = {
        "smoke_test_passed": outcome == "pass",
        "expected_response_received": steps_failed == 0,
        "route_reachable": steps_passed > 0,
    }
    with transaction.atomic():
        result = SmokeTestResult.objects.create(
            source=SmokeTestResult.Source.PUSH,
            reporter=source[:100],
            session_id=session_id[:100],
            session_name=session_name[:253],
            lab_code=lab_code[:63],
            catalog_item=lab.catalog_item if lab else "",
            lab=lab,
            lab_instance=instances[0] if len(instances) == 1 else None,
            cluster_name=cluster_name[:253],
            workshop_url=workshop_url[:400],
            status=outcome,
            passed=outcome == "pass",
            steps_passed=steps_passed,
            steps_failed=steps_failed,
            total=steps_passed + steps_failed,
            completed=steps_passed,
            failed=steps_failed,
            error_summary=mask(error_summary)[:500],
            details=facts,
            finished_at=now,
        )
    return Pushed(result, _evaluate(instances[:MAX_EVALUATED], now), facts)


def _evaluate(instances: list[LabInstance], now: datetime) -> int:
    """Evaluate again, from their latest stored evidence, the instances a result names."""
    stored = {
        row.lab_instance_id: row.evidence
        for row in LabEvidence.objects.filter(lab_instance__in=instances)
    }
    smoke = smoke_results_for(instances, now)
    items: list[tuple[LabInstance, NamespaceEvidence]] = []
    for instance in instances:
        if instance.pk not in stored:
            continue
        evidence: NamespaceEvidence = dict(stored[instance.pk])  # type: ignore[assignment]
        evidence["smoke_results"] = smoke.get(instance.pk, [])
        items.append((instance, evidence))
    if items:
        lab_instances_evaluate(items=items, now=now)
    return len(items)


class MappingRefused(Exception):
    """A mapping write the caller may not make; `detail` never names another team's labs."""

    def __init__(self, status: int, detail: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.problems = problems or {}


@transaction.atomic
def lab_mapping_write(
    *,
    audience: Audience,
    lab_code: str,
    catalog_item: str,
    fields: dict[str, Any],
    now: datetime,
) -> LabMapping:
    """Create or replace the hand-written mapping `lab_code` (3.3: an authenticated program or
    an administrator). A team writes mappings of its own catalog items only."""
    lab = visible_labs(audience).filter(catalog_item=catalog_item).first() if catalog_item else None
    if catalog_item and lab is None:
        raise MappingRefused(404, "No catalog item of that name is visible to you.")
    if not audience.everything and lab is None:
        raise MappingRefused(400, "Name one of your team's catalog items.")
    existing = LabMapping.objects.select_for_update().filter(lab_code=lab_code).first()
    if existing is not None and not _writable(existing, audience):
        raise MappingRefused(409, "This lab code is already mapped.")
    mapping = existing or LabMapping(lab_code=lab_code)
    for name, value in fields.items():
        setattr(mapping, name, value)
    mapping.lab, mapping.source, mapping.updated_at = lab, LabMapping.Source.MANUAL, now
    try:
        mapping.full_clean(validate_unique=False)
    except ValidationError as exc:
        problems = {k: " ".join(v) for k, v in exc.message_dict.items()}
        raise MappingRefused(400, "The mapping is not valid.", problems) from exc
    mapping.save()
    return mapping


def _writable(mapping: LabMapping, audience: Audience) -> bool:
    """Operators replace any mapping; a team only one of its own catalog items."""
    if audience.everything:
        return True
    return mapping.lab_id is not None and visible_labs(audience).filter(pk=mapping.lab_id).exists()
