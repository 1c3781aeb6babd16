from __future__ import annotations

from django import forms
from django.contrib import admin

from labs.admin_scoping import AudienceScopedAdmin, AudienceScopedInline
from notifications.models import Channel, DeliveryAttempt, Notification, Route


class RouteInline(AudienceScopedInline):
    model = Route
    team_path = "channel__team"
    extra = 1


class ChannelForm(forms.ModelForm[Channel]):
    class Meta:
        model = Channel
        fields = "__all__"  # noqa: DJ007 - the admin edits every field
        widgets = {"secret": forms.PasswordInput(render_value=True)}


@admin.register(Channel)
class ChannelAdmin(AudienceScopedAdmin):
    """A team member sees the channels of their teams, their routes and messages."""

    team_path = "team"
    form = ChannelForm
    list_display = ["name", "kind", "team", "target", "enabled", "last_delivery_at", "last_status"]
    list_filter = ["kind", "enabled", "team"]
    readonly_fields = ["created_at", "last_delivery_at", "last_status"]
    inlines = [RouteInline]


@admin.register(Route)
class RouteAdmin(AudienceScopedAdmin):
    team_path = "channel__team"
    list_display = ["channel", "topic", "team", "min_severity", "cluster", "lab", "enabled"]
    list_filter = ["topic", "min_severity", "enabled"]


class AttemptInline(AudienceScopedInline):
    model = DeliveryAttempt
    team_path = "notification__channel__team"
    extra = 0
    can_delete = False
    readonly_fields = ["at", "status", "latency_ms", "error"]


@admin.register(Notification)
class NotificationAdmin(AudienceScopedAdmin):
    team_path = "channel__team"
    list_display = ["pk", "channel", "change", "title", "state", "attempts", "created_at"]
    list_filter = ["state", "change", "channel"]
    readonly_fields = ["key", "group", "body", "created_at", "delivered_at"]
    inlines = [AttemptInline]
