"""Incident pages: list, detail (members, timeline, severity factors, proposed action;
acknowledge, assign, notes), the fleet overview's open incidents, and silences."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incidents import selectors, services
from incidents.forms import SilenceForm
from incidents.models import Incident
from labs.selectors import audience_of, users_for
from stargate.http import AuthedHtmxRequest, htmx_partial

CHANGE = "incidents.change_incident"
STATUSES = [
    ("open", "Open and acknowledged"),
    ("acknowledged", "Acknowledged"),
    ("resolved", "Resolved"),
    ("all", "All"),
]


def _visible(request: AuthedHtmxRequest, pk: int) -> Incident:
    """The incident as `request.user` may read it: for pages only, never saved."""
    return selectors.incident_shown(_writable(request, pk), audience_of(request.user))


def _writable(request: AuthedHtmxRequest, pk: int) -> Incident:
    """The incident, when `request.user` sees it, as stored: for changes."""
    return get_object_or_404(selectors.incidents_for(request.user), pk=pk)


@require_GET
def incident_list(request: AuthedHtmxRequest) -> HttpResponse:
    incidents = selectors.incidents_for(request.user)
    status = request.GET.get("status", "open")
    if status == "open":
        incidents = incidents.filter(status__in=Incident.OPEN_STATES)
    elif status in Incident.Status.values:
        incidents = incidents.filter(status=status)
    template = "incidents/incident_list.html"
    if htmx_partial(request):
        template += "#incident-rows"
    audience = audience_of(request.user)
    rows = [selectors.incident_shown(incident, audience) for incident in incidents[:200]]
    context = {"incidents": rows, "status": status, "statuses": STATUSES}
    return render(request, template, context)


@require_GET
def open_incidents(request: AuthedHtmxRequest) -> HttpResponse:
    """The fleet overview's first section, fetched by the page (and again on each push)."""
    rows = selectors.open_incidents_for(request.user)
    return render(request, "incidents/open_incidents.html", {"incidents": rows})


@require_GET
def incident_detail(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    incident = _visible(request, pk)
    members = list(selectors.incident_members(incident, request.user))
    context = {
        "incident": incident,
        "members": members,
        "siblings": selectors.member_sibling_comparisons(members),
        "action_request": selectors.incident_action_request(incident, request.user),
        "timeline": selectors.incident_timeline(incident, request.user),
        "events": selectors.incident_events(incident, request.user),
        "users": users_for(request.user).filter(is_active=True).order_by("username"),
    }
    template = "incidents/incident_detail.html"
    if htmx_partial(request):
        template += "#incident-body"
    return render(request, template, context)


def _back(incident: Incident) -> HttpResponseRedirect:
    return HttpResponseRedirect(incident.get_absolute_url())


@require_POST
@permission_required(CHANGE, raise_exception=True)
def incident_acknowledge(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    incident = _writable(request, pk)
    if not services.incident_acknowledge(incident=incident, user=request.user):
        return HttpResponse("Only an open incident can be acknowledged.", status=409)
    return _back(incident)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def incident_assign(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    incident = _writable(request, pk)
    username = request.POST.get("assignee", "")
    assignee = None
    if username:
        assignee = users_for(request.user).filter(username=username, is_active=True).first()
        if assignee is None:
            return HttpResponse("No such user.", status=400)
    services.incident_assign(incident=incident, assignee=assignee, user=request.user)
    return _back(incident)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def incident_note(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    incident = _writable(request, pk)
    text = request.POST.get("text", "").strip()
    if not text:
        return HttpResponse("A note needs text.", status=400)
    services.incident_note_add(incident=incident, text=text[:2000], user=request.user)
    return _back(incident)


@require_http_methods(["GET", "POST"])
def silence_list(request: AuthedHtmxRequest) -> HttpResponse:
    initial = {"expires_at": timezone.now() + timedelta(hours=2)}
    form = SilenceForm(request.POST or None, initial=initial, audience=audience_of(request.user))
    if request.method == "POST":
        if not request.user.has_perm("incidents.add_silence"):
            return HttpResponse("You may not add silences.", status=403)
        if form.is_valid():
            data = form.cleaned_data
            services.silence_create(user=request.user, **data)
            messages.success(request, "Silence added.")
            return HttpResponseRedirect(request.path)
    silences = selectors.visible_silences(audience_of(request.user))[:200]
    context = {"form": form, "silences": silences}
    context["now"] = timezone.now()
    status = 400 if request.method == "POST" else 200
    return render(request, "incidents/silence_list.html", context, status=status)


@require_POST
@permission_required("incidents.change_silence", raise_exception=True)
def silence_expire(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    silences = selectors.visible_silences(audience_of(request.user))
    services.silence_expire(silence=get_object_or_404(silences, pk=pk))
    messages.success(request, "Silence ended.")
    return HttpResponseRedirect("../../")
