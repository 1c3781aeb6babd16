"""Recommendations (filterable, with evidence; a pool-scale request from one) and the
provisioning page of a catalog item or lab code."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from labs.selectors import audience_of
from recommendations import selectors, services
from recommendations.models import Urgency
from recommendations.rules import SCOPE_FACTS
from stargate.http import AuthedHtmxRequest, htmx_partial


@require_GET
def recommendation_list(request: AuthedHtmxRequest) -> HttpResponse:
    audience = audience_of(request.user)
    filters = {key: request.GET.get(key, "") for key in ("urgency", "scope", "rule", "lab")}
    status = request.GET.get("status", "open")
    rows = selectors.recommendation_list(audience, status=status, **filters)
    template = "recommendations/recommendation_list.html"
    if htmx_partial(request):
        template += "#recommendation-rows"
    context = {
        "recommendations": rows,
        "status": status,
        "filters": filters,
        "urgencies": Urgency.choices,
        "scopes": sorted(SCOPE_FACTS),
        "rules": [rule.id for rule in services.rules()],
    }
    return render(request, template, context)


@require_POST
def recommendation_request(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(
        selectors.visible_recommendations(audience_of(request.user)), pk=pk
    )
    if not request.user.has_perm("remediation.add_actionrequest"):
        messages.error(request, "You may not request remediation actions.")
    else:
        try:
            action_request = services.recommendation_request_action(
                recommendation=recommendation, user=request.user
            )
        except (services.NoActionForRecommendation, ValueError) as exc:
            messages.error(request, f"No request raised: {exc}")
        else:
            messages.success(
                request,
                f"Request {action_request.pk} ({action_request.get_status_display()}): "
                f"{action_request.reason}",
            )
    return HttpResponseRedirect(reverse("recommendations:recommendation_list") + f"#rec-{pk}")


@require_GET
def provisioning(request: AuthedHtmxRequest, code: str) -> HttpResponse:
    data = selectors.provisioning(audience_of(request.user), code, timezone.now())
    return render(request, "recommendations/provisioning.html", {"p": data})
