from __future__ import annotations

from django.urls import URLPattern, path

from scanning import views

app_name = "scanning"

urlpatterns: list[URLPattern] = [
    path("runs/", views.scan_run_list, name="scan_run_list"),
    path("runs/<int:pk>/", views.scan_run_detail, name="scan_run_detail"),
]
