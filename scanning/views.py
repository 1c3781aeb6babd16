"""Scan run pages. A running scan is followed by polling, which stops (286) once it finishes."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseStopPolling

from labs import selectors as lab_selectors
from scanning import selectors
from scanning.models import ScanRun
from stargate.http import AuthedHtmxRequest, htmx_partial

RUNS_PER_PAGE = 50


@require_GET
def scan_run_list(request: AuthedHtmxRequest) -> HttpResponse:
    """Every scan run the user may see, newest first, filtered by cluster, tier and status."""
    runs = selectors.scan_runs_for(request.user)
    chosen = {name: request.GET.get(name, "") for name in ("cluster", "tier", "status")}
    if chosen["cluster"]:
        runs = runs.filter(cluster__name=chosen["cluster"])
    if chosen["tier"] in {str(tier) for tier in ScanRun.Tier.values}:
        runs = runs.filter(tier=int(chosen["tier"]))
    if chosen["status"] in ScanRun.Status.values:
        runs = runs.filter(status=chosen["status"])
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({name: value for name, value in chosen.items() if value})
    context = {
        "page": page,
        "chosen": chosen,
        "query": query,
        "clusters": lab_selectors.clusters_for(request.user)
        .order_by("name")
        .values_list("name", flat=True),
        "tiers": ScanRun.Tier.choices,
        "statuses": ScanRun.Status.choices,
    }
    return render(request, "scanning/scan_run_list.html", context)


@require_GET
def scan_run_detail(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(selectors.scan_runs_for(request.user), pk=pk)
    # A run's figures count every team's labs; its errors name their namespaces.
    context = {"run": run, "fleet_figures": lab_selectors.is_platform_operator(request.user)}
    if not htmx_partial(request):
        return render(request, "scanning/scan_run_detail.html", context)
    response = render(request, "scanning/scan_run_detail.html#scan-progress", context)
    if run.status != ScanRun.Status.RUNNING:
        # The last fragment (without hx-trigger) still needs swapping in; 286 stops the poll.
        response.status_code = HttpResponseStopPolling.status_code
    return response
