from __future__ import annotations

from django.urls import URLPattern, path

from metrics import views

app_name = "metrics"
urlpatterns: list[URLPattern] = [path("", views.metrics, name="metrics")]
