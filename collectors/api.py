"""The inbound smoke-test push (platform-contracts 9): `POST /api/v1/integration/external-evidence`,
mounted by `stargate.api`, with an API key of the `approve` scope whose owner holds
`collectors.add_smoketestresult` (a read key never writes). A platform operator's key pushes for
any lab code; a team's key for its teams' labs only (404 otherwise, naming no lab).

The result is stored as a `SmokeTestResult` (`source=push`) and becomes smoke-test evidence of
the lab's instances (on the named cluster, else all): each is evaluated again at once from its
latest stored evidence, so the `smoke-test-ready` rubric judges it like any other evidence and
its verdict change emits the matching evaluation event.

Lab mappings (3.3): `GET /api/v1/integration/lab-mappings` (read scope, team-scoped) and
`PUT /api/v1/integration/lab-mappings/{lab_code}` (admin scope, an owner holding
`collectors.change_labmapping`) writing a hand-written mapping that no collector replaces.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Router, Schema, Status

from collectors import services
from collectors.models import LabMapping
from labs.selectors import audience_of, visible_labs
from stargate.apiauth import ApiKeyAuth, key_owner
from stargate.problems import Problem, ProblemError

PUSHER = ApiKeyAuth("approve", "collectors.add_smoketestresult")
Short = Annotated[str, Field(max_length=253)]

router = Router(tags=["integration"])


class ExternalEvidenceIn(Schema):
    source: Short = "demolition"
    lab_code: Short
    cluster_name: Short = ""
    outcome: Literal["pass", "fail"]
    workshop_url: Annotated[str, Field(max_length=400)] = ""
    error_summary: Annotated[str, Field(max_length=2000)] = ""
    session_id: Short = ""
    session_name: Short = ""
    steps_passed: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    steps_failed: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class ExternalEvidenceOut(Schema):
    id: int
    lab_code: str
    lab: str | None = Field(description="The catalog item the lab code resolved to, if any.")
    instances_evaluated: int
    facts: dict[str, bool]


@router.post(
    "/external-evidence",
    response={201: ExternalEvidenceOut, 404: Problem},
    auth=PUSHER,
    url_name="api_external_evidence",
)
def external_evidence(
    request: HttpRequest, body: ExternalEvidenceIn
) -> Status[ExternalEvidenceOut]:
    """Store one smoke-test result and evaluate the lab's `smoke-test-ready` rubric with it.

    A key whose owner is not a platform operator pushes only for its teams' labs: any other lab
    code answers 404, as if the lab did not exist."""
    try:
        pushed = services.smoke_result_push(
            audience=audience_of(key_owner(request)), **body.dict(), now=timezone.now()
        )
    except services.PushRefused as exc:
        raise ProblemError(404, exc.detail) from exc
    return Status(
        201,
        ExternalEvidenceOut(
            id=pushed.result.pk,
            lab_code=pushed.result.lab_code,
            lab=pushed.result.lab.catalog_item if pushed.result.lab else None,
            instances_evaluated=pushed.evaluated,
            facts=pushed.facts,
        ),
    )


# --- lab mappings (3.3): read with a read key, written with an admin key -----------------------

MAPPER = ApiKeyAuth("admin", "collectors.change_labmapping")
LabCode = Annotated[str, Path(min_length=1, max_length=63, pattern=r"^[A-Za-z0-9:._-]+$")]
Pattern = Annotated[str, Field(max_length=253)]


class LabMappingIn(Schema):
    catalog_item: Short = Field("", description="The catalog item (a `Lab`) the code delivers.")
    namespace_pattern: Pattern = Field("", description="Shell-style glob over namespace names.")
    pool_pattern: Pattern = ""
    ci_name: Short = ""
    ci_base: Annotated[str, Field(max_length=200)] = ""
    ci_slug: Short = ""
    agnosticv_path: Annotated[str, Field(max_length=300)] = ""
    cloud: Annotated[str, Field(max_length=63)] = ""
    clusters: Annotated[list[Annotated[str, Field(max_length=253)]], Field(max_length=50)] = []
    owner: Short = ""


class MappingProblem(Problem):
    problems: dict[str, str] = Field(default_factory=dict, description="What is wrong, per field.")


class LabMappingOut(Schema):
    lab_code: str
    source: str
    catalog_item: str | None
    namespace_pattern: str
    pool_pattern: str
    ci_name: str
    ci_base: str
    ci_slug: str
    agnosticv_path: str
    cloud: str
    clusters: list[str]
    owner: str
    updated_at: datetime


def mapping_out(mapping: LabMapping) -> LabMappingOut:
    return LabMappingOut(
        **{f: getattr(mapping, f) for f in LabMappingOut.model_fields if f != "catalog_item"},
        catalog_item=mapping.lab.catalog_item if mapping.lab else None,
    )


@router.get("/lab-mappings", response=list[LabMappingOut], url_name="api_lab_mapping_list")
def lab_mapping_list(request: HttpRequest) -> list[LabMappingOut]:
    """The lab mappings the key's owner sees (operators: all; a team: its catalog items')."""
    audience = audience_of(key_owner(request))
    rows = LabMapping.objects.select_related("lab").order_by("lab_code")
    if not audience.everything:
        rows = rows.filter(lab__in=visible_labs(audience))
    return [mapping_out(m) for m in rows[:1000]]


@router.put(
    "/lab-mappings/{lab_code}",
    response={200: LabMappingOut, 400: MappingProblem, 404: Problem, 409: Problem},
    auth=MAPPER,
    url_name="api_lab_mapping_write",
    summary="Create or replace a hand-written lab mapping (admin scope)",
)
def lab_mapping_write(request: HttpRequest, lab_code: LabCode, body: LabMappingIn) -> Any:
    data = body.dict()
    try:
        mapping = services.lab_mapping_write(
            audience=audience_of(key_owner(request)),
            lab_code=lab_code,
            catalog_item=data.pop("catalog_item"),
            fields=data,
            now=timezone.now(),
        )
    except services.MappingRefused as exc:
        raise ProblemError(exc.status, exc.detail, problems=exc.problems) from exc
    return mapping_out(mapping)
