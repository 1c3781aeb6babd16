from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from remediation import selectors, services
from remediation.models import ActionRequest, RemediationAction
from stargate import realtime
from stargate.http import AuthedHtmxRequest, htmx_partial

APPROVE = "remediation.approve_actionrequest"


@require_GET
@permission_required(APPROVE, raise_exception=True)
def approval_queue(request: AuthedHtmxRequest) -> HttpResponse:
    context = {
        "requests": selectors.approval_queue()[:100],
        "pending_count": selectors.pending_count(),
        # In-memory channel layer: a worker's broadcast never reaches this process; poll.
        "poll": realtime.uses_relay(),
    }
    template = "remediation/approval_queue.html"
    if htmx_partial(request) and request.GET.get("part") == "rows":
        template += "#approval-rows"
    return render(request, template, context)


@require_GET
def approval_nav(request: AuthedHtmxRequest) -> HttpResponse:
    """The header's approvals link and pending count; empty for users who cannot approve."""
    show = request.user.has_perm(APPROVE)
    context = {"show": show, "pending_count": selectors.pending_count() if show else 0}
    return render(request, "remediation/nav_count.html", context)


@require_POST
@permission_required(APPROVE, raise_exception=True)
def approval_decide(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    action_request = get_object_or_404(ActionRequest, pk=pk)
    decision = request.POST.get("decision")
    if decision not in {"approve", "reject"}:
        return HttpResponse("decision must be approve or reject", status=400)
    service = (
        services.action_request_approve if decision == "approve" else services.action_request_reject
    )
    status = 200
    try:
        action_request = service(
            action_request=action_request, approver=request.user,
            reason=request.POST.get("reason", "")[:1000].replace("\x00", ""),
        )  # fmt: skip
    except services.ActionAlreadyDecided as exc:
        action_request, status = exc.action_request, 409
    except services.RateLimitReached:
        status = 429
        messages.warning(request, "Hourly action limit reached: the request stays pending.")
    if not htmx_partial(request):
        return HttpResponseRedirect(reverse("remediation:approval_queue"))
    row = selectors.approval_queue().get(pk=action_request.pk)
    return render(
        request, "remediation/approval_queue.html#approval-row", {"req": row}, status=status
    )


@require_GET
@permission_required("remediation.view_actionrequest", raise_exception=True)
def effectiveness(request: AuthedHtmxRequest) -> HttpResponse:
    return render(
        request, "remediation/effectiveness.html", {"rows": selectors.effectiveness_rows()}
    )


@require_POST
@permission_required("remediation.change_remediationaction", raise_exception=True)
def effectiveness_confirm(request: AuthedHtmxRequest) -> HttpResponse:
    action = get_object_or_404(RemediationAction, action_id=request.POST.get("action_id", ""))
    risk = request.POST.get("risk", "")
    if risk not in RemediationAction.Risk.values:
        return HttpResponse("risk must be low, medium or high", status=400)
    services.remediation_action_risk_set(action=action, risk=risk, user=request.user)
    messages.success(
        request, f"{action.action_id} is now {risk} risk: make the same change in catalog.yaml."
    )
    return HttpResponseRedirect(reverse("remediation:effectiveness"))
