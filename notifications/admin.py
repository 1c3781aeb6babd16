from __future__ import annotations

from django import forms
from django.contrib import admin

from notifications.models import Channel, DeliveryAttempt, Notification, Route


class RouteInline(admin.TabularInline[Route, Channel]):
    model = Route
    extra = 1


class ChannelForm(forms.ModelForm[Channel]):
    class Meta:
        model = Channel
        fields = "__all__"  # noqa: DJ007 - the admin edits every field
        widgets = {"secret": forms.PasswordInput(render_value=True)}


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin[Channel]):
    form = ChannelForm
    list_display = ["name", "kind", "team", "target", "enabled", "last_delivery_at", "last_status"]
    list_filter = ["kind", "enabled", "team"]
    readonly_fields = ["created_at", "last_delivery_at", "last_status"]
    inlines = [RouteInline]


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin[Route]):
    list_display = ["channel", "topic", "team", "min_severity", "cluster", "lab", "enabled"]
    list_filter = ["topic", "min_severity", "enabled"]


class AttemptInline(admin.TabularInline[DeliveryAttempt, Notification]):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["at", "status", "latency_ms", "error"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["pk", "channel", "change", "title", "state", "attempts", "created_at"]
    list_filter = ["state", "change", "channel"]
    readonly_fields = ["key", "group", "body", "created_at", "delivered_at"]
    inlines = [AttemptInline]
