"""The labs API (`/api/v1/labs`, `/api/v1/clusters`, mounted by `stargate.api`): labs with their
current verdict per rubric, and clusters with their lab counts (read scope).

Every read goes through `selectors.lab_instances_for(user)` and `selectors.clusters_for(user)`.
The labs filters are those of the labs table (cluster, catalog item, team, status, failure class,
a GUID or namespace search, and the sortable columns), matched by name: the table's filter set
(`labs.filters`, a form with choices read from the fleet counts) serves a page, these a program.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from pydantic import AfterValidator

from dashboard.api_work import router as work_router
from labs import selectors
from labs.models import Cluster, LabInstance, Status, status_rank
from rubrics_app.models import Evaluation
from stargate.apiauth import key_owner
from stargate.apitypes import MAX_ID, OneOf, Page, PageParams, Text, enum_schema, page_of
from stargate.lib.redact import redact_url

router = Router(tags=["labs"])
STATUSES = Status.values
LabStatus = Annotated[str, AfterValidator(OneOf(STATUSES)), enum_schema(STATUSES)]
# The labs table's sortable columns: `?sort=cluster`, `?sort=-status_changed_at`.
SORTS = {
    "namespace": ("namespace",),
    "guid": ("guid",),
    "cluster": ("cluster__name", "namespace"),
    "catalog_item": ("lab__catalog_item",),
    "team": ("lab__team__name",),
    "status": ("status_rank", "-status_changed_at"),  # by severity, worst first
    "failure_class": ("failure_class",),
    "status_changed_at": ("status_changed_at",),
}
SORT_VALUES = [*SORTS, *(f"-{name}" for name in SORTS)]
Sort = Annotated[str, AfterValidator(OneOf(SORT_VALUES)), enum_schema(SORT_VALUES)]
ClusterName = Annotated[str, Path(max_length=63, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]


class Verdict(Schema):
    rubric_id: str
    rubric_version: int
    outcome: Annotated[str, enum_schema(STATUSES)]
    failure_class: str
    recommended_action: str
    reason: str
    object_ref: str
    outcome_since: datetime | None
    evaluated_at: datetime


class LabOut(Schema):
    id: int
    namespace: str
    guid: str
    cluster: str
    catalog_item: str
    team: str | None
    status: Annotated[str, enum_schema(STATUSES)]
    failure_class: str
    status_changed_at: datetime | None
    last_evaluated_at: datetime | None
    first_seen_at: datetime
    verdicts: list[Verdict] = Field(description="The current verdict of each rubric.")


class LabFilters(Schema):
    cluster: Text | None = Field(None, description="A cluster name.")
    catalog_item: Text | None = None
    team: Text | None = Field(None, description="A team name.")
    status: LabStatus | None = None
    failure_class: Text | None = None
    q: Text | None = Field(None, description="Part of a GUID or namespace.")
    sort: Sort | None = Field(None, description="A column; `-column` for descending.")

    def apply(self, labs: QuerySet[LabInstance]) -> QuerySet[LabInstance]:
        lookups = {
            "cluster__name": self.cluster,
            "lab__catalog_item": self.catalog_item,
            "lab__team__name": self.team,
            "status": self.status,
            "failure_class": self.failure_class,
        }
        labs = labs.filter(**{lookup: value for lookup, value in lookups.items() if value})
        if term := (self.q or "").strip().lower():  # GUIDs and namespaces are lowercase
            labs = labs.filter(Q(guid__contains=term) | Q(namespace__contains=term))
        order: tuple[str, ...] = ("cluster_id", "namespace")
        if self.sort:
            columns = SORTS[self.sort.lstrip("-")]
            order = tuple(_reverse(c) for c in columns) if self.sort.startswith("-") else columns
        return labs.alias(status_rank=status_rank()).order_by(*order, "pk")


def _reverse(column: str) -> str:
    return column[1:] if column.startswith("-") else f"-{column}"


def _verdict(evaluation: Evaluation) -> Verdict:
    return Verdict(
        rubric_id=evaluation.rubric_id,
        rubric_version=evaluation.rubric_version,
        outcome=evaluation.outcome,
        failure_class=evaluation.failure_class,
        recommended_action=evaluation.recommended_action,
        reason=evaluation.reason,
        object_ref=evaluation.object_ref,
        outcome_since=evaluation.outcome_since,
        evaluated_at=evaluation.evaluated_at,
    )


def lab_out(lab: LabInstance) -> LabOut:
    team = lab.lab.team
    return LabOut(
        id=lab.pk,
        namespace=lab.namespace,
        guid=lab.guid,
        cluster=lab.cluster.name,
        catalog_item=lab.lab.catalog_item,
        team=team.name if team else None,
        status=lab.status,
        failure_class=lab.failure_class,
        status_changed_at=lab.status_changed_at,
        last_evaluated_at=lab.last_evaluated_at,
        first_seen_at=lab.first_seen_at,
        verdicts=[_verdict(e) for e in lab.evaluations.all()],
    )


def _labs(request: HttpRequest) -> QuerySet[LabInstance]:
    verdicts = Prefetch("evaluations", queryset=Evaluation.objects.order_by("rubric_id"))
    return (
        selectors.lab_instances_for(key_owner(request))
        .select_related("cluster", "lab__team")
        .prefetch_related(verdicts)
    )


@router.get(
    "/labs",
    response=Page[LabOut],
    url_name="api_lab_list",
    summary="List labs with their verdicts, filtered and sorted as the labs table",
)
def lab_list(
    request: HttpRequest, filters: Query[LabFilters], page: Query[PageParams]
) -> Page[LabOut]:
    return page_of(filters.apply(_labs(request)), page, lab_out)


@router.get("/labs/{pk}", response=LabOut, url_name="api_lab_detail", summary="One lab")
def lab_detail(request: HttpRequest, pk: Annotated[int, Path(ge=1, le=MAX_ID)]) -> LabOut:
    return lab_out(get_object_or_404(_labs(request), pk=pk))


class LabCounts(Schema):
    total: int
    failed: int
    ready: int


class ClusterOut(Schema):
    name: str
    api_url: str = Field(description="Without any userinfo.")
    enabled: bool
    reachable: bool
    unreachable_since: datetime | None
    consecutive_failures: int
    last_seen_at: datetime | None
    api_latency_ms: float | None
    labels: dict[str, Any]
    tier_intervals_minutes: list[int] = Field(description="Tiers 1 to 4.")
    labs: LabCounts = Field(description="The live labs on it that you may see.")


def _lab_counts(request: HttpRequest, **lookups: Any) -> dict[int, LabCounts]:
    """{cluster id: counts} of the labs the key's owner may see, from one grouped query."""
    rows = (
        selectors.lab_instances_for(key_owner(request))
        .filter(**lookups)
        .values("cluster_id")
        .annotate(
            total=Count("id"),
            failed=Count("id", filter=Q(status=Status.FAILED)),
            ready=Count("id", filter=Q(status=Status.READY)),
        )
        .order_by()
    )
    return {row.pop("cluster_id"): LabCounts(**row) for row in rows}


def cluster_out(cluster: Cluster, counts: dict[int, LabCounts]) -> ClusterOut:
    return ClusterOut(
        name=cluster.name,
        api_url=redact_url(cluster.api_url),
        enabled=cluster.enabled,
        reachable=cluster.reachable,
        unreachable_since=cluster.unreachable_since,
        consecutive_failures=cluster.consecutive_failures,
        last_seen_at=cluster.last_seen_at,
        api_latency_ms=cluster.api_latency_ms,
        labels=cluster.labels,
        tier_intervals_minutes=[
            cluster.tier1_interval,
            cluster.tier2_interval,
            cluster.tier3_interval,
            cluster.tier4_interval,
        ],
        labs=counts.get(cluster.pk, LabCounts(total=0, failed=0, ready=0)),
    )


@router.get(
    "/clusters",
    response=Page[ClusterOut],
    url_name="api_cluster_list",
    summary="List clusters by name, with their lab counts",
)
def cluster_list(request: HttpRequest, page: Query[PageParams]) -> Page[ClusterOut]:
    counts = _lab_counts(request)
    clusters = selectors.clusters_for(key_owner(request)).order_by("name")
    return page_of(clusters, page, lambda cluster: cluster_out(cluster, counts))


@router.get(
    "/clusters/{name}", response=ClusterOut, url_name="api_cluster_detail", summary="One cluster"
)
def cluster_detail(request: HttpRequest, name: ClusterName) -> ClusterOut:
    cluster = get_object_or_404(selectors.clusters_for(key_owner(request)), name=name)
    return cluster_out(cluster, _lab_counts(request, cluster_id=cluster.pk))


# Incidents, recommendations and proposals: their own module, served under this router.
router.add_router("", work_router)
