from __future__ import annotations

from django.urls import URLPattern, path

from recommendations import views

app_name = "recommendations"

urlpatterns: list[URLPattern] = [
    path("", views.recommendation_list, name="recommendation_list"),
    path("<int:pk>/request/", views.recommendation_request, name="recommendation_request"),
    path("provisioning/<str:code>/", views.provisioning, name="provisioning"),
]
