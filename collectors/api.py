"""The inbound smoke-test push (platform-contracts 9): `POST /api/v1/integration/external-evidence`,
mounted by `stargate.api`, with an API key of the `approve` scope whose owner holds
`collectors.add_smoketestresult` (a read key never writes), for the labs of the owner's teams
(Demolition's key belongs to a platform operator).

The result is stored as a `SmokeTestResult` (`source=push`) and becomes smoke-test evidence of
the lab's instances (on the named cluster, else all): each is evaluated again at once from its
latest stored evidence, so the `smoke-test-ready` rubric judges it like any other evidence and
its verdict change emits the matching evaluation event.
"""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from collectors import services
from labs.selectors import audience_of
from stargate.apiauth import ApiKeyAuth, key_owner

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
    response={201: ExternalEvidenceOut},
    auth=PUSHER,
    url_name="api_external_evidence",
)
def external_evidence(
    request: HttpRequest, body: ExternalEvidenceIn
) -> Status[ExternalEvidenceOut]:
    """Store one smoke-test result and evaluate the lab's `smoke-test-ready` rubric with it. A
    lab of another team than the key owner's is taken for an unknown lab code."""
    audience = audience_of(key_owner(request))
    pushed = services.smoke_result_push(**body.dict(), now=timezone.now(), audience=audience)
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
