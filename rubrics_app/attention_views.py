"""The AI page's automatic-investigation panel (loaded by the page, so its own query budget
holds): the switch, today's automatic runs against the daily budgets, and the attention gate's
latest decisions on the user's labs. Switching needs `rubrics_app.switch_auto_investigation`."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from labs.selectors import lab_instances_for
from stargate.http import AuthedHtmxRequest, htmx_partial

from . import selectors
from .investigation import attention
from .investigation.triggers import auto_investigation_enabled, auto_investigation_switch
from .models import InvestigationRun

SWITCH = "rubrics_app.switch_auto_investigation"
Trigger = InvestigationRun.Trigger


@require_GET
def ai_attention(request: AuthedHtmxRequest) -> HttpResponse:
    return _panel(request)


@require_POST
@permission_required(SWITCH, raise_exception=True)
def ai_attention_switch(request: AuthedHtmxRequest) -> HttpResponse:
    auto_investigation_switch(enabled=request.POST.get("enabled") == "on", user=request.user)
    if htmx_partial(request):
        return _panel(request)
    return HttpResponseRedirect(reverse("rubrics:ai_overview") + "#attention")


def _panel(request: AuthedHtmxRequest) -> HttpResponse:
    used = attention.automatic_today(timezone.now())
    budgets = [
        (label, used.get(trigger, 0), attention.DAILY_BUDGETS[trigger])
        for trigger, label in ((Trigger.AUTO_STUCK, "stuck"), (Trigger.AUTO_ANOMALOUS, "anomalous"))
    ]
    total = sum(used.values())
    context = {
        "enabled": auto_investigation_enabled(),
        "can_switch": request.user.has_perm(SWITCH),
        "budgets": [(label, n, limit, max(limit - n, 0)) for label, n, limit in budgets],
        "total": (total, attention.DAILY_TOTAL, max(attention.DAILY_TOTAL - total, 0)),
        "decisions": selectors.attention_decisions(lab_instances_for(request.user)),
    }
    return render(request, "rubrics_app/attention.html", context)
