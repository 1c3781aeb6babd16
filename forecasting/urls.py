from __future__ import annotations

from django.urls import URLPattern, path

from forecasting import views

app_name = "forecasting"

urlpatterns: list[URLPattern] = [
    path("capacity/", views.capacity, name="capacity"),
]
