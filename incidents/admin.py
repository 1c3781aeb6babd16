from __future__ import annotations

from django.contrib import admin

from incidents.models import Event, FailureRecord, Incident, IncidentMember, Silence, TimelineEntry


@admin.register(Silence)
class SilenceAdmin(admin.ModelAdmin[Silence]):
    list_display = ["pk", "cluster", "lab", "team", "failure_class", "reason", "expires_at"]
    list_filter = ["cluster", "team"]


class MemberInline(admin.TabularInline[IncidentMember, Incident]):
    model = IncidentMember
    extra = 0
    readonly_fields = ["lab_instance", "failure_class", "joined_at", "recovered_at", "cause"]


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin[Incident]):
    list_display = ["pk", "title", "kind", "status", "severity", "opened_at", "resolved_at"]
    list_filter = ["status", "kind", "severity"]
    inlines = [MemberInline]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
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

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


admin.site.register(FailureRecord)
admin.site.register(TimelineEntry)
