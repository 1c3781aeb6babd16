"""Reads of incidents for pages, the fleet overview and other apps (remediation's gate input,
the effectiveness page's resolution profiles)."""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from incidents.models import (
    Event,
    FailureRecord,
    Incident,
    IncidentMember,
    Silence,
    TimelineEntry,
)
from incidents.profiles import Profile, profile_of
from labs.models import LabInstance, Team
from labs.selectors import (
    Audience,
    audience_of,
    lab_instances_for,
    visible_clusters,
    visible_lab_instances,
    visible_labs,
)
from remediation.models import ActionRequest
from rubrics_app import selectors as rubric_selectors

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def open_incident_for(lab_instance: LabInstance) -> int | None:
    """The number of the open incident `lab_instance` is a member of, or None."""
    return (
        IncidentMember.objects.filter(
            lab_instance=lab_instance,
            recovered_at__isnull=True,
            incident__status__in=Incident.OPEN_STATES,
        )
        .values_list("incident_id", flat=True)
        .first()
    )


def incidents_for(user: User) -> QuerySet[Incident]:
    """Incidents with at least one member lab `user` may see. For a team member, the member
    counts are of their labs only (`members_total`, `members_active`)."""
    return visible_incidents(audience_of(user))


def visible_incidents(audience: Audience) -> QuerySet[Incident]:
    """Incidents with at least one member lab `audience` sees, and provisioning incidents (no
    members: the catalog item fails before a lab exists) of a catalog item it sees; counts of
    those members only."""
    visible = visible_lab_instances(audience).values("pk")
    member = IncidentMember.objects.filter(incident=OuterRef("pk"), lab_instance__in=visible)
    items = visible_labs(audience).values("pk")
    incidents = Incident.objects.filter(
        Exists(member) | Q(kind=Incident.Kind.PROVISIONING, lab__in=items)
    )
    counted = Q() if audience.everything else Q(members__lab_instance__in=visible)
    if not audience.everything:
        teammate = Team.members.through.objects.filter(
            user_id=OuterRef("assignee_id"), team_id__in=sorted(audience.team_ids)
        )
        incidents = incidents.annotate(assignee_seen=Exists(teammate))
    return incidents.annotate(
        members_total=Count("members", filter=counted, distinct=True),
        members_active=Count(
            "members", filter=counted & Q(members__recovered_at__isnull=True), distinct=True
        ),
    ).select_related("cluster", "lab", "assignee")


def incident_shown(incident: Incident, audience: Audience) -> Incident:
    """What `audience` may read of `incident`: for a team member, the title's count of every
    team's labs or clusters becomes "several", the severity's blast radius (counts of every
    team's attendees and catalog items) is left out, and an assignee of another team is not
    named (an unsaved stand-in: the incident shown cannot be saved)."""
    if not audience.everything:
        if incident.assignee_id is not None and not getattr(incident, "assignee_seen", False):
            incident.assignee = User(username=ANOTHER_TEAMS_MEMBER)
        incident.title = _COUNTED.sub(r"on several \1", incident.title)
        factors = dict(incident.severity_factors or {})
        factors.pop("attendees", None)
        factors.pop("labs", None)
        incident.severity_factors = factors
    return incident


ANOTHER_TEAMS_MEMBER = "a member of another team"
_COUNTED = re.compile(r"\bon \d+ (labs|clusters)\b")


def open_incidents_for(user: User, limit: int = 20) -> list[Incident]:
    """Open incidents, most severe first, then newest."""
    audience = audience_of(user)
    rows = list(visible_incidents(audience).filter(status__in=Incident.OPEN_STATES)[:200])
    rows.sort(key=lambda i: (SEVERITY_ORDER.get(i.severity, 9), -i.opened_at.timestamp()))
    return [incident_shown(incident, audience) for incident in rows[:limit]]


def incident_members(incident: Incident, user: User) -> QuerySet[IncidentMember]:
    visible = lab_instances_for(user).values("pk")
    return incident.members.filter(lab_instance__in=visible).select_related(
        "lab_instance__cluster", "lab_instance__lab"
    )


def member_sibling_comparisons(
    members: list[IncidentMember], limit: int = 5
) -> list[tuple[LabInstance, rubric_selectors.SiblingComparison]]:
    """The differences with healthy siblings of the first `limit` members still failing (one
    query for them all)."""
    failing = [m.lab_instance for m in members if m.recovered_at is None][:limit]
    found = rubric_selectors.sibling_comparisons(failing)
    return [(lab, found[lab.pk]) for lab in failing if lab.pk in found]


def incident_action_request(incident: Incident, user: User) -> ActionRequest | None:
    """The request the incident made for its proposed action, when `user` sees its lab."""
    if incident.action_request_id is None:
        return None
    visible = lab_instances_for(user).values("pk")
    return (
        ActionRequest.objects.filter(pk=incident.action_request_id, lab_instance__in=visible)
        .select_related("action", "lab_instance")
        .first()
    )


def incident_timeline(incident: Incident, user: User, limit: int = 100) -> QuerySet[TimelineEntry]:
    """The incident's timeline. A team member reads the entries StarGate wrote and the notes
    of their teams' members (a note of another team's member may name that team's labs)."""
    entries = incident.timeline.all()
    audience = audience_of(user)
    if not audience.everything:
        entries = entries.filter(
            Q(user__isnull=True) | Q(user=user.pk) | Q(user__teams__in=sorted(audience.team_ids))
        ).distinct()
    return entries.select_related("user").order_by("-at", "-pk")[:limit]


def incident_events(incident: Incident, user: User, limit: int = 50) -> QuerySet[Event]:
    """The incident's events, of the labs `user` sees (and of no lab)."""
    events = incident.events.all()
    audience = audience_of(user)
    if not audience.everything:
        visible = visible_lab_instances(audience).values("pk")
        events = events.filter(Q(lab_instance__isnull=True) | Q(lab_instance__in=visible))
    return events.select_related("lab_instance").order_by("-at", "-pk")[:limit]


def silences_active_first() -> QuerySet[Silence]:
    return Silence.objects.select_related("cluster", "lab", "team", "created_by").order_by(
        "-expires_at"
    )


def visible_silences(audience: Audience) -> QuerySet[Silence]:
    """Silences whose cluster, catalog item and team (those given) `audience` all sees."""
    silences = silences_active_first()
    if audience.everything:
        return silences
    return silences.filter(
        Q(cluster__isnull=True) | Q(cluster__in=visible_clusters(audience)),
        Q(lab__isnull=True) | Q(lab__in=visible_labs(audience)),
        Q(team__isnull=True) | Q(team_id__in=sorted(audience.team_ids)),
    )


def resolution_profiles() -> list[Profile]:
    """One profile per (catalog item, failure class), most failures first."""
    rows: dict[tuple[str, str], list[tuple[str, float | None]]] = {}
    for item, cls, cause, ttr in FailureRecord.objects.filter(lab__isnull=False).values_list(
        "lab__catalog_item", "failure_class", "cause", "ttr_seconds"
    ):
        rows.setdefault((item, cls), []).append((cause, ttr))
    profiles = [profile_of(item, cls, found) for (item, cls), found in rows.items()]
    return sorted(profiles, key=lambda p: (-p.total, p.catalog_item, p.failure_class))
