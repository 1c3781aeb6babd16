"""The API's incidents, recommendations and classification proposals (`/api/v1/incidents`,
`/api/v1/recommendations`, `/api/v1/proposals`, read scope) and silences (`POST
/api/v1/incidents/silences`, approve scope), mounted by `stargate.api`.

Team-scoped as their pages: `incidents.selectors.visible_incidents` (a shared incident counts
the key owner's labs only, its title says "several", another team's assignee is not named),
`recommendations.selectors.visible_recommendations` and the proposals on the labs the owner sees.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import AfterValidator, AwareDatetime

from incidents import selectors as incident_selectors
from incidents import services as incident_services
from incidents.models import Incident, Silence
from labs.models import Team
from labs.selectors import (
    Audience,
    audience_of,
    visible_clusters,
    visible_lab_instances,
    visible_labs,
)
from recommendations.models import Recommendation
from recommendations.selectors import visible_recommendations
from rubrics_app import services as rubric_services
from rubrics_app.models import ClassificationProposal
from stargate.apiauth import ApiKeyAuth, key_owner
from stargate.apitypes import MAX_ID, OneOf, Page, PageParams, Text, enum_schema, page_of
from stargate.problems import INVALID, ProblemError

router = Router(tags=["incidents"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


INCIDENT_STATUSES = list(dict.fromkeys(["open", *Incident.Status.values, "all"]))
IncidentStatus = Annotated[
    str, AfterValidator(OneOf(INCIDENT_STATUSES)), enum_schema(INCIDENT_STATUSES)
]
RECOMMENDATION_STATUSES = [*Recommendation.Status.values, "all"]
RecommendationStatus = Annotated[
    str, AfterValidator(OneOf(RECOMMENDATION_STATUSES)), enum_schema(RECOMMENDATION_STATUSES)
]
PROPOSAL_STATUSES = ClassificationProposal.Status.values
ProposalStatus = Annotated[
    str, AfterValidator(OneOf(PROPOSAL_STATUSES)), enum_schema(PROPOSAL_STATUSES)
]


class IncidentOut(Schema):
    id: int
    title: str
    kind: str
    status: Annotated[str, enum_schema(Incident.Status.values)]
    severity: str
    failure_class: str
    cluster: str | None
    catalog_item: str | None
    assignee: str | None = Field(description="None when unassigned or of another team.")
    members_total: int = Field(description="Member labs you may see.")
    members_active: int = Field(description="Of those, the ones still failing.")
    opened_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None


class IncidentFilters(Schema):
    status: IncidentStatus = Field("open", description="`open`: open and acknowledged.")


def _incidents(request: HttpRequest) -> tuple[QuerySet[Incident], Audience]:
    audience = audience_of(key_owner(request))
    incidents = incident_selectors.visible_incidents(audience)
    return incidents.order_by("-opened_at", "-pk"), audience


def _incident_out(incident: Incident, audience: Audience) -> IncidentOut:
    shown = incident_selectors.incident_shown(incident, audience)
    assignee = shown.assignee
    return IncidentOut(
        id=shown.pk,
        title=shown.title,
        kind=shown.kind,
        status=shown.status,
        severity=shown.severity,
        failure_class=shown.failure_class,
        cluster=shown.cluster.name if shown.cluster else None,
        catalog_item=shown.lab.catalog_item if shown.lab else None,
        assignee=assignee.get_username() if assignee and assignee.pk else None,
        members_total=getattr(shown, "members_total", 0),
        members_active=getattr(shown, "members_active", 0),
        opened_at=shown.opened_at,
        acknowledged_at=shown.acknowledged_at,
        resolved_at=shown.resolved_at,
    )


@router.get(
    "/incidents",
    response=Page[IncidentOut],
    url_name="api_incident_list",
    summary="List incidents, newest first",
)
def incident_list(
    request: HttpRequest, filters: Query[IncidentFilters], page: Query[PageParams]
) -> Page[IncidentOut]:
    incidents, audience = _incidents(request)
    if filters.status == "open":
        incidents = incidents.filter(status__in=Incident.OPEN_STATES)
    elif filters.status != "all":
        incidents = incidents.filter(status=filters.status)
    return page_of(incidents, page, lambda incident: _incident_out(incident, audience))


class SilenceIn(Schema):
    cluster: Text | None = Field(None, description="A cluster name (platform operators).")
    catalog_item: Text | None = None
    team: Text | None = Field(None, description="A team name.")
    failure_class: Annotated[str, Field(max_length=100)] = ""
    reason: Annotated[str, Field(min_length=1, max_length=300)]
    expires_at: AwareDatetime


class SilenceOut(Schema):
    id: int
    cluster: str | None
    catalog_item: str | None
    team: str | None
    failure_class: str
    reason: str
    starts_at: datetime
    expires_at: datetime


SILENCER = ApiKeyAuth("approve", "incidents.add_silence")
UNKNOWN = "an unknown cluster, catalog item or team"


def _named(rows: QuerySet[Any], field: str, name: str | None) -> Any:
    """The row of `rows` called `name` (None when no name is given); another team's is unknown."""
    if not name:
        return None
    found = rows.filter(**{field: name}).first()
    if found is None:
        raise ProblemError(400, UNKNOWN, type=INVALID)
    return found


@router.post(
    "/incidents/silences",
    response={201: SilenceOut},
    auth=SILENCER,
    url_name="api_silence_add",
    summary="Silence a catalog item or a team (operators: a cluster or a class too)",
)
def silence_add(request: HttpRequest, body: SilenceIn) -> Status[SilenceOut]:
    user = key_owner(request)
    audience = audience_of(user)
    teams = Team.objects.all()
    if not audience.everything:
        teams = teams.filter(pk__in=sorted(audience.team_ids))
    cluster = _named(visible_clusters(audience), "name", body.cluster)
    lab = _named(visible_labs(audience), "catalog_item", body.catalog_item)
    team = _named(teams, "name", body.team)
    if not (cluster or lab or team or body.failure_class):
        detail = "silence a cluster, a catalog item, a team or a failure class"
        raise ProblemError(400, detail, type=INVALID)
    if not audience.everything and not (lab or team):
        raise ProblemError(400, "silence one of your catalog items or teams", type=INVALID)
    try:
        silence = incident_services.silence_create(
            reason=body.reason,
            expires_at=body.expires_at,
            user=user,
            cluster=cluster,
            lab=lab,
            team=team,
            failure_class=body.failure_class,
        )
    except ValueError as exc:  # it expires before it starts
        raise ProblemError(400, str(exc), type=INVALID) from exc
    return Status(201, _silence_out(silence))


def _silence_out(silence: Silence) -> SilenceOut:
    return SilenceOut(
        id=silence.pk,
        cluster=silence.cluster.name if silence.cluster else None,
        catalog_item=silence.lab.catalog_item if silence.lab else None,
        team=silence.team.name if silence.team else None,
        failure_class=silence.failure_class,
        reason=silence.reason,
        starts_at=silence.starts_at,
        expires_at=silence.expires_at,
    )


@router.get(
    "/incidents/{pk}", response=IncidentOut, url_name="api_incident_detail", summary="One incident"
)
def incident_detail(request: HttpRequest, pk: Id) -> IncidentOut:
    incidents, audience = _incidents(request)
    return _incident_out(get_object_or_404(incidents, pk=pk), audience)


class RecommendationOut(Schema):
    id: int
    key: str
    rule: str
    scope: str
    target: str
    catalog_item: str | None
    status: Annotated[str, enum_schema(Recommendation.Status.values)]
    urgency: str
    confidence: float
    title: str
    recommendation: str
    next_action: str
    action: str
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None


class RecommendationFilters(Schema):
    status: RecommendationStatus = "open"


def _recommendation_out(row: Recommendation) -> RecommendationOut:
    return RecommendationOut(
        id=row.pk,
        key=row.key,
        rule=row.rule,
        scope=row.scope,
        target=row.target,
        catalog_item=row.lab.catalog_item if row.lab else None,
        status=row.status,
        urgency=row.urgency,
        confidence=row.confidence,
        title=row.title,
        recommendation=row.recommendation,
        next_action=row.next_action,
        action=row.action,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        resolved_at=row.resolved_at,
    )


@router.get(
    "/recommendations",
    response=Page[RecommendationOut],
    url_name="api_recommendation_list",
    summary="List the policy engine's recommendations",
    tags=["recommendations"],
)
def recommendation_list(
    request: HttpRequest, filters: Query[RecommendationFilters], page: Query[PageParams]
) -> Page[RecommendationOut]:
    rows = visible_recommendations(audience_of(key_owner(request))).select_related("lab")
    if filters.status != "all":
        rows = rows.filter(status=filters.status)
    return page_of(rows.order_by("status", "-last_seen", "pk"), page, _recommendation_out)


class ProposalOut(Schema):
    id: int
    lab: int = Field(description="The lab's id (`/api/v1/labs/{id}`).")
    namespace: str
    rubric_id: str
    original_class: str
    proposed_class: str
    novel: bool
    confidence: float
    status: Annotated[str, enum_schema(ClassificationProposal.Status.values)]
    created_at: datetime
    reviewed_at: datetime | None


class ProposalFilters(Schema):
    status: ProposalStatus | None = None


def _proposal_out(row: ClassificationProposal) -> ProposalOut:
    return ProposalOut(
        id=row.pk,
        lab=row.lab_instance_id,
        namespace=row.lab_instance.namespace,
        rubric_id=row.rubric_id,
        original_class=row.original_class,
        proposed_class=row.proposed_class,
        novel=row.novel,
        confidence=row.adjusted_confidence or row.confidence,
        status=row.status,
        created_at=row.created_at,
        reviewed_at=row.reviewed_at,
    )


@router.get(
    "/proposals",
    response=Page[ProposalOut],
    url_name="api_proposal_list",
    summary="List classification proposals, newest first",
    tags=["proposals"],
)
def proposal_list(
    request: HttpRequest, filters: Query[ProposalFilters], page: Query[PageParams]
) -> Page[ProposalOut]:
    labs = visible_lab_instances(audience_of(key_owner(request)))
    rows = ClassificationProposal.objects.filter(lab_instance__in=labs.values("pk"))
    if filters.status:
        rows = rows.filter(status=filters.status)
    rows = rows.select_related("lab_instance").order_by("-created_at", "-pk")
    return page_of(rows, page, _proposal_out)


REVIEWER = ApiKeyAuth("approve", "rubrics_app.review_classificationproposal")
Reason = Annotated[
    str, Field(pattern=r"\S", description="Why (required; the first 1000 characters are kept).")
]


class ProposalReviewIn(Schema):
    decision: Annotated[
        str,
        AfterValidator(OneOf(["accept", "correct", "reject"])),
        enum_schema(["accept", "correct", "reject"]),
    ]
    reason: Reason
    failure_class: Text = Field(
        "", description="For `correct`: a known class, or a new lower-case-words name (novel)."
    )


@router.post(
    "/proposals/{pk}/review",
    response=ProposalOut,
    auth=REVIEWER,
    url_name="api_proposal_review",
    summary="Accept, correct or reject a classification proposal",
    description=(
        "As the review page: the decision holds for every proposal of the same failure "
        "signature; repeating it answers the proposal unchanged, a different second decision "
        "answers 409."
    ),
    tags=["proposals"],
)
def proposal_review(request: HttpRequest, pk: Id, body: ProposalReviewIn) -> ProposalOut:
    user = key_owner(request)
    labs = visible_lab_instances(audience_of(user))
    proposal = get_object_or_404(
        ClassificationProposal.objects.select_related("lab_instance"),
        pk=pk,
        lab_instance__in=labs.values("pk"),
    )
    try:
        rubric_services.proposal_review(
            proposal=proposal,
            decision=body.decision,
            reviewer=user,
            reason=body.reason[:1000].replace("\x00", ""),
            failure_class=body.failure_class,
        )
    except rubric_services.ProposalReviewRefused as exc:
        raise ProblemError(409 if exc.conflict else 400, str(exc), type=INVALID) from exc
    proposal.refresh_from_db()
    return _proposal_out(proposal)
