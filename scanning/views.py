"""Scan run pages. A running scan is followed by polling, which stops (286) once it finishes."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseStopPolling

from labs import selectors as lab_selectors
from scanning import selectors
from scanning.models import ScanRun
from stargate.http import AuthedHtmxRequest, htmx_partial


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
