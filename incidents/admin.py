"""The incidents admin. A team member sees the silences, events and failure records of their
labs (`labs.admin_scoping`); incidents and their timelines, which gather labs of several teams
and count them, are for platform operators here: team members work on them in the incident
pages, which show their labs only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet

from incidents.models import Event, FailureRecord, Incident, IncidentMember, Silence, TimelineEntry
from incidents.selectors import visible_silences
from labs.admin_scoping import AudienceScopedAdmin, AudienceScopedInline
from labs.selectors import Audience, visible_clusters


@admin.register(Silence)
class SilenceAdmin(AudienceScopedAdmin):
    list_display = ["pk", "cluster", "lab", "team", "failure_class", "reason", "expires_at"]
    list_filter = ["cluster", "team"]

    def audience_rows(self, queryset: QuerySet[Any], audience: Audience) -> QuerySet[Any]:
        """As on the silences page (`incidents.selectors.visible_silences`)."""
        return queryset.filter(pk__in=visible_silences(audience).values("pk"))


class MemberInline(AudienceScopedInline):
    model = IncidentMember
    extra = 0
    readonly_fields = ["lab_instance", "failure_class", "joined_at", "recovered_at", "cause"]
    team_path = "lab_instance__lab__team"


@admin.register(Incident)
class IncidentAdmin(AudienceScopedAdmin):
    list_display = ["pk", "title", "kind", "status", "severity", "opened_at", "resolved_at"]
    list_filter = ["status", "kind", "severity"]
    inlines = [MemberInline]
    operators_only = True


@admin.register(Event)
class EventAdmin(AudienceScopedAdmin):
    list_display = [
        "event_id",
        "event_type",
        "at",
        "cluster",
        "failure_class",
        "filtered",
        "notify",
    ]
    list_filter = ["event_type", "filtered", "notify"]

    def audience_rows(self, queryset: QuerySet[Any], audience: Audience) -> QuerySet[Any]:
        """Events of the user's labs and catalog items, and of neither on a cluster they see."""
        teams = sorted(audience.team_ids)
        return queryset.filter(
            Q(lab_instance__lab__team_id__in=teams)
            | Q(lab_instance__isnull=True, lab__team_id__in=teams)
            | Q(lab_instance__isnull=True, lab__isnull=True, cluster__in=visible_clusters(audience))
        )

    def has_change_permission(self, request: Any, obj: object = None) -> bool:
        return False


@admin.register(FailureRecord)
class FailureRecordAdmin(AudienceScopedAdmin):
    team_path = "lab__team"


@admin.register(TimelineEntry)
class TimelineEntryAdmin(AudienceScopedAdmin):
    operators_only = True
