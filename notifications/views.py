"""Notification pages: channels and their routes (edited in the admin), deliveries with their
state, dead letters with "retry". Team-scoped through `selectors`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from incidents.selectors import incidents_for
from notifications import selectors, services
from notifications.models import Notification
from stargate.http import AuthedHtmxRequest

RETRY = "notifications.change_notification"


@require_GET
def channel_list(request: AuthedHtmxRequest) -> HttpResponse:
    channels = selectors.channels_for(request.user)
    return render(request, "notifications/channel_list.html", {"channels": channels})


@require_GET
def delivery_list(request: AuthedHtmxRequest, state: str | None = None) -> HttpResponse:
    state = state or request.GET.get("state", "all")
    if state not in selectors.STATES:
        state = "all"
    rows = selectors.deliveries_for(request.user, state)[:200]
    context = {"deliveries": rows, "state": state, "states": selectors.STATES}
    return render(request, "notifications/delivery_list.html", context)


@require_GET
def incident_notifications(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    """The incident page's list of the messages sent about it (a fragment it fetches)."""
    incident = get_object_or_404(incidents_for(request.user), pk=pk)
    rows = selectors.deliveries_for(request.user).filter(incident=incident)[:50]
    return render(request, "notifications/incident_notifications.html", {"deliveries": rows})


@require_GET
def dead_letters(request: AuthedHtmxRequest) -> HttpResponse:
    return delivery_list(request, "dead")


@require_POST
@permission_required(RETRY, raise_exception=True)
def delivery_retry(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    rows = selectors.deliveries_for(request.user, Notification.State.DEAD)
    notification = get_object_or_404(rows, pk=pk)
    count = services.notification_retry(notification=notification)
    messages.success(request, f"Message {pk} queued again ({count} with those after it).")
    return HttpResponseRedirect(reverse("notifications:dead_letters"))
