"""The scan runs API (`/api/v1/scan-runs`, mounted by `stargate.api`; read scope), newest first,
read through `selectors.scan_runs_for(user)`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from pydantic import AfterValidator

from labs.selectors import is_platform_operator
from scanning import selectors
from scanning.models import ScanRun
from stargate.apiauth import key_owner
from stargate.apitypes import MAX_ID, OneOf, Page, PageParams, Text, enum_schema, page_of

router = Router(tags=["scanning"])
STATUSES = ScanRun.Status.values
RunId = Annotated[int, Path(ge=1, le=MAX_ID)]
RunStatus = Annotated[str, AfterValidator(OneOf(STATUSES)), enum_schema(STATUSES)]


class ScanRunOut(Schema):
    id: int
    cluster: str
    tier: int = Field(ge=1, le=4)
    status: Annotated[str, enum_schema(STATUSES)]
    started_at: datetime
    finished_at: datetime | None
    duration_ms: float | None
    objects_read: int | None = Field(description="Platform operators only (counts every team's).")
    namespaces_seen: int | None = Field(description="Platform operators only.")
    namespaces_evaluated: int | None = Field(description="Platform operators only.")
    phase: str
    steps_total: int
    steps_done: int
    error_count: int
    error_kind: str


class ScanRunDetail(ScanRunOut):
    errors: list[Any] = Field(
        description="The errors met, redacted as on the run's page (platform operators only: "
        "they name namespaces)."
    )


class ScanRunFilters(Schema):
    cluster: Text | None = Field(None, description="A cluster name.")
    tier: int | None = Field(None, ge=1, le=4)
    status: RunStatus | None = None


def scan_run_out(run: ScanRun, figures: bool) -> ScanRunOut:
    """`figures`: the counts over every team's labs (platform operators)."""
    return ScanRunOut(
        id=run.pk,
        cluster=run.cluster.name,
        tier=run.tier,
        status=run.status,
        started_at=run.started_at,
        finished_at=run.finished_at,
        duration_ms=run.duration_ms,
        objects_read=run.objects_read if figures else None,
        namespaces_seen=run.namespaces_seen if figures else None,
        namespaces_evaluated=run.namespaces_evaluated if figures else None,
        phase=run.phase,
        steps_total=run.steps_total,
        steps_done=run.steps_done,
        error_count=run.error_count,
        error_kind=run.error_kind,
    )


@router.get(
    "/scan-runs",
    response=Page[ScanRunOut],
    url_name="api_scan_run_list",
    summary="List scan runs, newest first",
)
def scan_run_list(
    request: HttpRequest, filters: Query[ScanRunFilters], page: Query[PageParams]
) -> Page[ScanRunOut]:
    lookups = {"cluster__name": filters.cluster, "tier": filters.tier, "status": filters.status}
    owner = key_owner(request)
    runs = selectors.scan_runs_for(owner).filter(
        **{lookup: value for lookup, value in lookups.items() if value}
    )
    figures = is_platform_operator(owner)
    return page_of(runs, page, lambda run: scan_run_out(run, figures))


@router.get(
    "/scan-runs/{pk}",
    response=ScanRunDetail,
    url_name="api_scan_run_detail",
    summary="One scan run, with its errors",
)
def scan_run_detail(request: HttpRequest, pk: RunId) -> ScanRunDetail:
    owner = key_owner(request)
    run = get_object_or_404(selectors.scan_runs_for(owner), pk=pk)
    figures = is_platform_operator(owner)
    errors = run.errors if figures else []
    return ScanRunDetail(**scan_run_out(run, figures).model_dump(), errors=errors)
