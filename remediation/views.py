from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from incidents.selectors import resolution_profiles
from labs.selectors import audience_of
from remediation import selectors, services
from remediation.effectiveness_charts import effectiveness_charts
from remediation.models import ActionRequest, RemediationAction
from stargate.http import AuthedHtmxRequest, htmx_partial

APPROVE = "remediation.approve_actionrequest"


@require_GET
def catalog(request: AuthedHtmxRequest) -> HttpResponse:
    """The remediation catalog, read-only (`remediations/catalog.yaml`, via `load_catalog`)."""
    return render(request, "remediation/catalog.html", {"actions": selectors.catalog_actions()})


@require_GET
@permission_required(APPROVE, raise_exception=True)
def approval_queue(request: AuthedHtmxRequest) -> HttpResponse:
    audience = audience_of(request.user)
    context = {
        "requests": selectors.approval_queue(audience)[:100],
        "pending_count": selectors.pending_count(audience),
    }
    template = "remediation/approval_queue.html"
    if htmx_partial(request) and request.GET.get("part") == "rows":
        template += "#approval-rows"
    return render(request, template, context)


@require_GET
def approval_nav(request: AuthedHtmxRequest) -> HttpResponse:
    """The header's approvals link and pending count; empty for users who cannot approve."""
    show = request.user.has_perm(APPROVE)
    count = selectors.pending_count(audience_of(request.user)) if show else 0
    context = {"show": show, "pending_count": count}
    return render(request, "remediation/nav_count.html", context)


def _decision_call(
    request: AuthedHtmxRequest, action_request: ActionRequest, decision: str, reason: str
) -> tuple[ActionRequest, int, str]:
    """Run the service; returns the request, the status code and what to tell the user."""
    service = (
        services.action_request_approve if decision == "approve" else services.action_request_reject
    )
    try:
        done = service(action_request=action_request, approver=request.user, reason=reason)
    except services.ActionAlreadyDecided as exc:
        current = exc.action_request
        if current.status == ActionRequest.Status.RECOMMENDED:
            return current, 409, "A recommendation is not waiting for a decision."
        return current, 409, f"Already {current.get_status_display().lower()}: nothing changed."
    except services.GateRefused as exc:
        return exc.action_request, 409, f"Not approved: {exc}"
    except services.RateLimitReached as exc:
        return exc.action_request, 429, "Hourly action limit reached: the request stays pending."
    return done, 200, ""


@require_POST
@permission_required(APPROVE, raise_exception=True)
def approval_decide(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    """Approve or reject, with a reason, under the same rules (and answers) as the API: the
    requests of the approver's teams' labs only (every one for platform operators)."""
    action_request = get_object_or_404(selectors.action_requests_for(request.user), pk=pk)
    decision = request.POST.get("decision")
    reason = request.POST.get("reason", "")[:1000].replace("\x00", "")
    if decision not in {"approve", "reject"}:
        status, notice = 400, "The decision must be approve or reject."
    elif not reason.strip():
        status, notice = 400, "A decision needs a reason."
    else:
        action_request, status, notice = _decision_call(request, action_request, decision, reason)
    if not htmx_partial(request):
        if notice:
            messages.warning(request, f"Request {pk}: {notice}")
        return HttpResponseRedirect(reverse("remediation:approval_queue"))
    row = selectors.action_requests_for(request.user).get(pk=action_request.pk)
    context = {"req": row, "notice": notice}
    return render(request, "remediation/approval_queue.html#approval-row", context, status=status)


@require_GET
@permission_required("remediation.view_actionrequest", raise_exception=True)
def effectiveness(request: AuthedHtmxRequest) -> HttpResponse:
    audience = audience_of(request.user)
    rows = selectors.effectiveness_rows(audience)
    context = {
        "rows": rows,
        "charts": effectiveness_charts(rows),
        # Profiles span every team's catalog items: the platform operators' view only.
        "profiles": resolution_profiles() if audience.everything else [],
    }
    return render(request, "remediation/effectiveness.html", context)


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
