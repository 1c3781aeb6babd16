from __future__ import annotations

from django.urls import URLPattern, path

from notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern] = [
    path("", views.channel_list, name="channel_list"),
    path("deliveries/", views.delivery_list, name="delivery_list"),
    path("dead-letters/", views.dead_letters, name="dead_letters"),
    path("incidents/<int:pk>/", views.incident_notifications, name="incident_notifications"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
]
