"""The remediation API (`/api/v1/remediation/`, mounted by `stargate.api`): list, read, approve
and reject action requests, and read or set the pause switches.

Reads need the `read` scope; decisions need the `approve` scope *and* an owner who holds
`remediation.approve_actionrequest`, so a key never grants more than its owner may do in the UI.
Decisions go through the same services as the UI (`source="api"`, the key's owner as the
decider); a request already decided answers 409 with its current state, one over the hourly
action limits 429, and every decision needs a reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from pydantic import AfterValidator, AwareDatetime

from labs.selectors import audience_of, visible_clusters
from remediation import pauses, selectors, services
from remediation.forms import GLOBAL_REFUSED
from remediation.models import ActionRequest
from stargate.apiauth import ApiKeyAuth, key_owner
from stargate.apitypes import MAX_ID, OneOf, Page, PageParams, Text, enum_schema, page_of
from stargate.problems import PREFIX, Problem, ProblemError

APPROVE_PERM = "remediation.approve_actionrequest"
PAUSE_PERM = "remediation.change_remediationpause"
STATUSES = ActionRequest.Status.values
RequestStatus = Annotated[str, AfterValidator(OneOf(STATUSES)), enum_schema(STATUSES)]
Reason = Annotated[
    str, Field(pattern=r"\S", description="Why (required; the first 1000 characters are kept).")
]
RequestId = Annotated[int, Path(ge=1, le=MAX_ID)]
APPROVER = ApiKeyAuth("approve", APPROVE_PERM)
PAUSER = ApiKeyAuth("approve", PAUSE_PERM)

router = Router(tags=["remediation"])


class ActionRequestOut(Schema):
    id: int
    status: Annotated[str, enum_schema(STATUSES)]
    action: str
    risk: str
    method: str | None
    lab: str = Field(description="The lab's catalog item.")
    namespace: str
    cluster: str
    failure_class: str
    parameters: dict[str, Any]
    source: str
    requested_by: str | None
    decided_by: str | None
    decided_at: datetime | None
    reason: str
    expires_at: datetime | None
    created_at: datetime
    finished_at: datetime | None
    recovered: bool | None
    escalated: bool


class ActionRequestDetail(ActionRequestOut):
    gates: list[dict[str, Any]] = Field(description="Each gate's outcome and reason.")
    evidence: dict[str, Any]
    confirmed: bool
    started_at: datetime | None
    result: dict[str, Any]
    error: str
    recovered_seconds: float | None


class DecisionProblem(Problem):
    """409 and 429 answers to a decision: the request as it now stands."""

    request: ActionRequestOut
    obsolete: bool | None = Field(None, description="Gate refusals: the failure cleared.")
    gates: list[dict[str, str]] | None = Field(None, description="Gate refusals: the blockers.")


class ActionRequestFilters(Schema):
    status: list[RequestStatus] | None = Field(None, description="Any of these statuses.")
    lab: Text | None = Field(None, description="A catalog item.")
    namespace: Text | None = None
    cluster: Text | None = Field(None, description="A cluster name.")
    action: Text | None = Field(None, description="An action id.")
    failure_class: Text | None = None
    source: Text | None = None
    since: AwareDatetime | None = Field(None, description="Created at or after (with a zone).")

    def lookups(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for param, lookup in FILTERS.items():
            if value := getattr(self, param):
                found[lookup] = value
        if self.since:
            found["created_at__gte"] = self.since
        return found


FILTERS = {  # query parameter -> ORM lookup
    "status": "status__in",
    "lab": "lab_instance__lab__catalog_item",
    "namespace": "lab_instance__namespace",
    "cluster": "lab_instance__cluster__name",
    "action": "action__action_id",
    "failure_class": "failure_class",
    "source": "source",
}


def _name(user: User | None) -> str | None:
    return user.get_username() if user else None


def request_out(req: ActionRequest) -> ActionRequestOut:
    return ActionRequestOut(
        id=req.pk,
        status=req.status,
        action=req.action.action_id,
        risk=req.action.risk,
        method=req.action.method or None,
        lab=req.lab_instance.lab.catalog_item,
        namespace=req.lab_instance.namespace,
        cluster=req.lab_instance.cluster.name,
        failure_class=req.failure_class,
        parameters=req.parameters,
        source=req.source,
        requested_by=_name(req.requested_by),
        decided_by=_name(req.decided_by),
        decided_at=req.decided_at,
        reason=req.reason,
        expires_at=req.expires_at,
        created_at=req.created_at,
        finished_at=req.finished_at,
        recovered=req.recovered,
        escalated=req.escalated,
    )


def request_detail(req: ActionRequest) -> ActionRequestDetail:
    return ActionRequestDetail(
        **request_out(req).model_dump(),
        gates=req.decision,
        evidence=req.evidence,
        confirmed=req.confirmed,
        started_at=req.started_at,
        result=req.result,
        error=req.error,
        recovered_seconds=req.recovered_seconds,
    )


def _requests(request: HttpRequest) -> QuerySet[ActionRequest]:
    return selectors.action_requests_for(key_owner(request))


@router.get(
    "/requests",
    response=Page[ActionRequestOut],
    url_name="api_action_request_list",
    summary="List action requests, newest first",
)
def action_request_list(
    request: HttpRequest, filters: Query[ActionRequestFilters], page: Query[PageParams]
) -> Page[ActionRequestOut]:
    return page_of(_requests(request).filter(**filters.lookups()), page, request_out)


@router.get(
    "/requests/{pk}",
    response=ActionRequestDetail,
    url_name="api_action_request_detail",
    summary="One action request, with its gates, evidence and result",
)
def action_request_detail(request: HttpRequest, pk: RequestId) -> ActionRequestDetail:
    return request_detail(get_object_or_404(_requests(request), pk=pk))


class DecisionIn(Schema):
    reason: Reason


DECISION_RESPONSES: dict[int, Any] = {
    200: ActionRequestDetail,
    409: DecisionProblem,
    429: DecisionProblem,
}


@router.post(
    "/requests/{pk}/approve",
    response=DECISION_RESPONSES,
    auth=APPROVER,
    url_name="api_action_request_approve",
    summary="Approve a pending request (approve scope)",
)
def action_request_approve(
    request: HttpRequest, pk: RequestId, body: DecisionIn
) -> ActionRequestDetail:
    return _decide(request, pk, body.reason, services.action_request_approve)


@router.post(
    "/requests/{pk}/reject",
    response=DECISION_RESPONSES,
    auth=APPROVER,
    url_name="api_action_request_reject",
    summary="Reject a pending request (approve scope)",
)
def action_request_reject(
    request: HttpRequest, pk: RequestId, body: DecisionIn
) -> ActionRequestDetail:
    return _decide(request, pk, body.reason, services.action_request_reject)


def _decide(request: HttpRequest, pk: int, reason: str, service: Any) -> ActionRequestDetail:
    """Approvers decide the requests of their teams' labs only (platform operators: every one);
    another team's request answers 404, as if it did not exist."""
    user = key_owner(request)
    action_request = get_object_or_404(_requests(request), pk=pk)
    try:
        service(
            action_request=action_request,
            approver=user,
            reason=reason[:1000].replace("\x00", ""),
            source=ActionRequest.Source.API,
        )
    except services.ActionAlreadyDecided as exc:
        detail = "already decided or expired"
        raise _decision_problem(request, 409, detail, "already-decided", pk) from exc
    except services.GateRefused as exc:
        gates = [b.as_dict() for b in exc.blockers]
        raise _decision_problem(
            request, 409, str(exc), "gate-refused", pk, obsolete=exc.obsolete, gates=gates
        ) from exc
    except services.RateLimitReached as exc:
        detail = "hourly action limit reached"
        raise _decision_problem(request, 429, detail, "action-limit", pk) from exc
    return request_detail(_requests(request).get(pk=pk))


def _decision_problem(
    request: HttpRequest, status: int, detail: str, kind: str, pk: int, **extra: Any
) -> ProblemError:
    current = request_out(_requests(request).get(pk=pk))
    return ProblemError(
        status, detail, type=PREFIX + kind, request=current.model_dump(mode="json"), **extra
    )


class PauseSwitch(Schema):
    cluster: str | None = Field(description="None: every cluster.")
    reason: str
    changed_by: str | None
    changed_at: datetime | None


class MaintenanceWindowOut(Schema):
    id: int
    cluster: str | None
    catalog_item: str | None
    starts_at: datetime
    ends_at: datetime
    reason: str


class PauseState(Schema):
    paused: list[PauseSwitch] = Field(description="The switches that are on.")
    maintenance_windows: list[MaintenanceWindowOut] = Field(description="Windows open now.")


class PauseIn(Schema):
    paused: bool
    reason: Text = Field("", description="Required to pause.")
    cluster: Text | None = Field(None, description="A cluster name; none: every cluster.")


def _pause_state(user: User) -> PauseState:
    state = selectors.pause_state_for(user)
    switches = [
        PauseSwitch(
            cluster=s.cluster.name if s.cluster else None,
            reason=s.reason,
            changed_by=_name(s.changed_by),
            changed_at=s.changed_at,
        )
        for s in state.switches
    ]
    windows = [MaintenanceWindowOut(**pauses.window_json(w)) for w in state.windows]
    return PauseState(paused=switches, maintenance_windows=windows)


@router.get(
    "/pause",
    response=PauseState,
    url_name="api_remediation_pause",
    summary="The pause switches that are on and the maintenance windows open now",
)
def remediation_pause(request: HttpRequest) -> PauseState:
    return _pause_state(key_owner(request))


@router.post(
    "/pause",
    response=PauseState,
    auth=PAUSER,
    url_name="api_remediation_pause_change",
    summary="Pause or resume remediation, globally or on one cluster (approve scope)",
)
def remediation_pause_change(request: HttpRequest, body: PauseIn) -> PauseState:
    user = key_owner(request)
    if body.paused and not body.reason.strip():
        raise ProblemError(400, "pausing needs a reason", type=PREFIX + "reason-required")
    audience = audience_of(user)
    if not body.cluster and not audience.everything:
        raise ProblemError(403, GLOBAL_REFUSED)
    seen = visible_clusters(audience)  # another team's cluster is an unknown one
    cluster = seen.filter(name=body.cluster).first() if body.cluster else None
    if body.cluster and cluster is None:
        detail = f"unknown cluster {body.cluster!r}"
        raise ProblemError(400, detail, type=PREFIX + "unknown-cluster")
    pauses.remediation_pause_set(
        cluster=cluster,
        paused=body.paused,
        reason=body.reason[:1000],
        user=user,
        source=ActionRequest.Source.API,
    )
    return _pause_state(user)
