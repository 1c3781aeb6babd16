from __future__ import annotations

from django.urls import URLPattern, path

from collectors import views

app_name = "collectors"

urlpatterns: list[URLPattern] = [
    path("", views.source_list, name="source_list"),
]
