"""Reads of incidents for pages, the fleet overview and other apps (remediation's gate input,
the effectiveness page's resolution profiles)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from incidents.models import Event, FailureRecord, Incident, IncidentMember, Silence
from incidents.profiles import Profile, profile_of
from labs.models import LabInstance
from labs.selectors import lab_instances_for
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
    """Incidents with at least one member lab `user` may see (or, with none, on a cluster
    whose labs they see)."""
    visible = lab_instances_for(user)
    member = IncidentMember.objects.filter(
        incident=OuterRef("pk"), lab_instance__in=visible.values("pk")
    )
    return (
        Incident.objects.annotate(
            visible=Exists(member),
            members_total=Count("members", distinct=True),
            members_active=Count(
                "members", filter=Q(members__recovered_at__isnull=True), distinct=True
            ),
        )
        .filter(visible=True)
        .select_related("cluster", "lab", "assignee")
    )


def open_incidents_for(user: User, limit: int = 20) -> list[Incident]:
    """Open incidents, most severe first, then newest."""
    rows = list(incidents_for(user).filter(status__in=Incident.OPEN_STATES)[:200])
    rows.sort(key=lambda i: (SEVERITY_ORDER.get(i.severity, 9), -i.opened_at.timestamp()))
    return rows[:limit]


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


def incident_events(incident: Incident, limit: int = 50) -> QuerySet[Event]:
    return incident.events.select_related("lab_instance").order_by("-at", "-pk")[:limit]


def silences_active_first() -> QuerySet[Silence]:
    return Silence.objects.select_related("cluster", "lab", "team", "created_by").order_by(
        "-expires_at"
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
