from __future__ import annotations

from django.urls import URLPattern, path

from incidents import views

app_name = "incidents"

urlpatterns: list[URLPattern] = [
    path("", views.incident_list, name="incident_list"),
    path("open/", views.open_incidents, name="open_incidents"),
    path("<int:pk>/", views.incident_detail, name="incident_detail"),
    path("<int:pk>/acknowledge/", views.incident_acknowledge, name="incident_acknowledge"),
    path("<int:pk>/assign/", views.incident_assign, name="incident_assign"),
    path("<int:pk>/notes/", views.incident_note, name="incident_note"),
    path("silences/", views.silence_list, name="silence_list"),
    path("silences/<int:pk>/expire/", views.silence_expire, name="silence_expire"),
]
