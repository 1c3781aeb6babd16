"""Scan run pages. A running scan is followed by polling, which stops (286) once it finishes."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseStopPolling

from labs.selectors import optional_model
from stargate.http import AuthedHtmxRequest, htmx_partial


@require_GET
def scan_run_detail(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    scan_run = optional_model("scanning", "ScanRun")
    if scan_run is None:
        raise Http404("Scan runs are not recorded yet.")
    run = get_object_or_404(scan_run.objects.select_related("cluster"), pk=pk)  # type: ignore[attr-defined]
    finished = getattr(run, "finished_at", None) is not None
    if htmx_partial(request):
        response = render(request, "scanning/scan_run_detail.html#scan-progress", {"run": run})
        if finished:
            # Last fragment, then htmx stops polling.
            response.status_code = HttpResponseStopPolling.status_code
        return response
    return render(request, "scanning/scan_run_detail.html", {"run": run, "finished": finished})
