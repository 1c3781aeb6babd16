"""The oauth-proxy has no login pages of its own: allauth asks every provider for its URLs."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
