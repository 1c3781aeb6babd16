"""The provisioning API for Launchpad (spec 24.7), mounted at `/api/v1/` by `stargate.api`:
cluster capacity and placement scores, pool availability, the hourly forecast and a health
summary. Read scope; every read is scoped to the key owner's audience."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from forecasting.placement import ClusterFigures, cluster_figures, pool_rows, readiness_input
from forecasting.scores import availability_risk, capacity_warning, readiness
from forecasting.selectors import capacity_forecast
from labs.selectors import audience_of
from stargate.apiauth import key_owner

router = Router(tags=["provisioning"])
ClusterName = Annotated[str, Path(max_length=63, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
MAX_FORECAST_HOURS = 48


class ClusterCapacity(Schema):
    cluster: str
    score: float
    cpu_pct: float
    vms_per_node: float
    sandbox_active: int
    sandbox_failing: int
    health_rate: float
    pool_available: int
    pool_total: int
    status: str
    hot_nodes: int


class CapacityOut(Schema):
    clusters: list[ClusterCapacity]
    total: int


class ScoreBreakdown(Schema):
    cpu_score: float
    density_score: float
    health_score: float
    capacity_score: float


class ScoreRaw(Schema):
    cpu_pct: float
    vms_per_node: float
    health_rate: float
    pool_available: int
    sandbox_active: int
    hot_nodes: int
    status: str


class ScoreOut(Schema):
    cluster: str
    score: float
    breakdown: ScoreBreakdown
    raw: ScoreRaw


class PoolOut(Schema):
    name: str
    available: int
    ready: int
    min: int
    status: str


class PoolsOut(Schema):
    pools: list[PoolOut]
    total_pools: int
    total_available: int
    total_exhausted: int
    platform_status: str


class ForecastParams(Schema):
    hours: int = Field(7, ge=1, le=MAX_FORECAST_HOURS)


class ClusterProjectionOut(Schema):
    cluster: str
    current_cpu: float
    current_vms: float
    current_sandboxes: int
    capacity_warning: bool


class ForecastOut(Schema):
    pools_available: int
    risk: str
    cluster_projections: list[ClusterProjectionOut]
    projection: dict[str, object]


class ClusterHealth(Schema):
    status: str
    healthy: bool
    cpu_pct: float
    health_rate: float
    sandbox_failing: int


class HealthOut(Schema):
    clusters: dict[str, ClusterHealth]
    total: int
    healthy: int
    degraded: int
    platform_healthy: bool


def _figures(request: HttpRequest) -> list[ClusterFigures]:
    return cluster_figures(audience_of(key_owner(request)))


def _capacity(f: ClusterFigures) -> ClusterCapacity:
    return ClusterCapacity(
        cluster=f.cluster,
        score=f.score,
        cpu_pct=f.cpu_pct,
        vms_per_node=f.vms_per_node,
        sandbox_active=f.sandbox_active,
        sandbox_failing=f.sandbox_failing,
        health_rate=f.health_rate,
        pool_available=f.pool_available,
        pool_total=f.pool_total,
        status=f.status,
        hot_nodes=f.hot_nodes,
    )


@router.get(
    "/clusters/capacity",
    response=CapacityOut,
    url_name="api_cluster_capacity",
    summary="Clusters by placement score, best first",
)
def clusters_capacity(request: HttpRequest) -> CapacityOut:
    figures = _figures(request)
    return CapacityOut(clusters=[_capacity(f) for f in figures], total=len(figures))


@router.get(
    "/clusters/{name}/score",
    response=ScoreOut,
    url_name="api_cluster_score",
    summary="One cluster's placement score and its parts",
)
def cluster_score(request: HttpRequest, name: ClusterName) -> ScoreOut:
    found = next((f for f in _figures(request) if f.cluster == name), None)
    if found is None:
        raise HttpError(404, "no such cluster among those you see")
    return ScoreOut(
        cluster=found.cluster,
        score=found.score,
        breakdown=ScoreBreakdown(**found.placement.breakdown()),
        raw=ScoreRaw(
            cpu_pct=found.cpu_pct,
            vms_per_node=found.vms_per_node,
            health_rate=found.health_rate,
            pool_available=found.pool_available,
            sandbox_active=found.sandbox_active,
            hot_nodes=found.hot_nodes,
            status=found.status,
        ),
    )


@router.get(
    "/pools/availability",
    response=PoolsOut,
    url_name="api_pool_availability",
    summary="Pools with their available handles and status",
)
def pools_availability(request: HttpRequest) -> PoolsOut:
    rows = pool_rows(audience_of(key_owner(request)))
    exhausted = sum(row["status"] == "exhausted" for row in rows)
    low = sum(row["status"] == "low" for row in rows)
    status = "critical" if exhausted else ("warning" if low > 10 else "healthy")
    return PoolsOut(
        pools=[PoolOut.model_validate(row) for row in rows],
        total_pools=len(rows),
        total_available=sum(int(str(row["available"])) for row in rows),
        total_exhausted=exhausted,
        platform_status=status,
    )


@router.get(
    "/forecast",
    response=ForecastOut,
    url_name="api_forecast",
    summary="Hour-by-hour demand against supply (hours: default 7, at most 48)",
)
def forecast(request: HttpRequest, params: Query[ForecastParams]) -> ForecastOut:
    audience = audience_of(key_owner(request))
    result = capacity_forecast(audience=audience, hours=params.hours)
    available = sum(p.available for p in result.pools)
    figures = cluster_figures(audience)
    return ForecastOut(
        pools_available=available,
        risk=availability_risk(available),
        cluster_projections=[
            ClusterProjectionOut(
                cluster=f.cluster,
                current_cpu=f.cpu_pct,
                current_vms=f.vms_per_node,
                current_sandboxes=f.sandbox_active,
                capacity_warning=capacity_warning(f.cpu_pct, f.vms_per_node),
            )
            for f in figures
        ],
        projection=result.projection.as_dict(),
    )


@router.get(
    "/health/summary",
    response=HealthOut,
    url_name="api_health_summary",
    summary="Health per cluster and of the platform",
)
def health_summary(request: HttpRequest) -> HealthOut:
    figures = _figures(request)
    healthy = sum(f.status == "healthy" for f in figures)
    return HealthOut(
        clusters={
            f.cluster: ClusterHealth(
                status=f.status,
                healthy=f.status == "healthy",
                cpu_pct=f.cpu_pct,
                health_rate=f.health_rate,
                sandbox_failing=f.sandbox_failing,
            )
            for f in figures
        },
        total=len(figures),
        healthy=healthy,
        degraded=len(figures) - healthy,
        platform_healthy=bool(figures) and healthy >= 0.7 * len(figures),
    )


class ReadinessOut(Schema):
    overall: float
    parts: dict[str, float]
    gates: dict[str, str]
    labs_total: int
    labs_provisioned: int
    labs_with_sessions: int


@router.get(
    "/readiness",
    response=ReadinessOut,
    url_name="api_readiness",
    summary="The event's readiness score (spec 24.6), its parts and gates",
)
def readiness_score(request: HttpRequest) -> ReadinessOut:
    data = readiness_input(audience_of(key_owner(request)))
    score = readiness(data)
    return ReadinessOut(
        overall=score.overall,
        parts=score.parts,
        gates=score.gates,
        labs_total=data.labs_total,
        labs_provisioned=data.labs_provisioned,
        labs_with_sessions=data.labs_with_sessions,
    )
