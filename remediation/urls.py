from __future__ import annotations

from django.urls import URLPattern, path

from remediation import views

app_name = "remediation"

urlpatterns: list[URLPattern] = [
    path("approvals/", views.approval_queue, name="approval_queue"),
    path("approvals/nav/", views.approval_nav, name="approval_nav"),
    path("approvals/<int:pk>/decide/", views.approval_decide, name="approval_decide"),
    path("effectiveness/", views.effectiveness, name="effectiveness"),
    path("effectiveness/confirm/", views.effectiveness_confirm, name="effectiveness_confirm"),
]
