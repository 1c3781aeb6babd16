"""The investigation pages: start a run on a failed lab (queued, never run in the request) and
watch its steps arrive (htmx polling of the run's panel until it ends). Team-scoped: a run is
visible, and a lab investigable, only within the user's labs."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from labs.models import LabInstance
from labs.selectors import lab_instances_for
from stargate.http import AuthedHtmxRequest, htmx_partial

from . import selectors
from .investigation.services import InvestigationRefused, investigation_request

INVESTIGATE = "rubrics_app.run_investigation"
PANEL = "rubrics_app/investigation.html#investigation-panel"


@require_POST
@permission_required(INVESTIGATE, raise_exception=True)
def lab_investigate(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    lab = get_object_or_404(lab_instances_for(request.user).select_related("cluster"), pk=pk)
    try:
        run = investigation_request(lab=lab, user=request.user)
    except InvestigationRefused as exc:
        if htmx_partial(request):  # swapped in (htmx ignores a 4xx): the panel says why
            return _panel(request, lab, notice=str(exc))
        return HttpResponse(str(exc), status=409)
    if htmx_partial(request):
        return _panel(request, lab)
    return HttpResponseRedirect(run.get_absolute_url())


@require_GET
def lab_investigation(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    """The lab page's panel: the latest run and its steps, the button for who may press it;
    while the run is under way, the panel asks for itself again every second."""
    lab = get_object_or_404(lab_instances_for(request.user).select_related("cluster"), pk=pk)
    return _panel(request, lab)


def _panel(request: AuthedHtmxRequest, lab: LabInstance, notice: str = "") -> HttpResponse:
    run = selectors.investigation_latest(lab)
    context = {
        "run": run,
        "steps": selectors.investigation_steps(run) if run is not None else [],
        "instance": lab,
        "can_investigate": request.user.has_perm(INVESTIGATE),
        "notice": notice,
    }
    return render(request, PANEL, context)


@require_GET
def investigation_detail(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    runs = selectors.investigations_for(lab_instances_for(request.user))
    run = get_object_or_404(runs, pk=pk)
    context = {
        "run": run,
        "steps": selectors.investigation_steps(run),
        "instance": run.lab_instance,
        "can_investigate": request.user.has_perm(INVESTIGATE),
    }
    return render(request, "rubrics_app/investigation.html", context)
