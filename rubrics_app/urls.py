from __future__ import annotations

from django.urls import URLPattern, path

from rubrics_app import views

app_name = "rubrics"

urlpatterns: list[URLPattern] = [
    path("", views.rubric_list, name="rubric_list"),
]
