from __future__ import annotations

from django.urls import URLPattern, path

from remediation import offer_views, pause_views, views

app_name = "remediation"

urlpatterns: list[URLPattern] = [
    path("catalog/", views.catalog, name="catalog"),
    path("approvals/", views.approval_queue, name="approval_queue"),
    path("approvals/nav/", views.approval_nav, name="approval_nav"),
    path("approvals/<int:pk>/decide/", views.approval_decide, name="approval_decide"),
    path("approvals/<int:pk>/offer/", offer_views.request_offer, name="request_offer"),
    path("offers/labs/<int:pk>/", offer_views.lab_offers, name="lab_offers"),
    path("offers/labs/<int:pk>/accept/", offer_views.lab_offer_accept, name="lab_offer_accept"),
    path("effectiveness/", views.effectiveness, name="effectiveness"),
    path("pause/", pause_views.pause_page, name="pause_page"),
    path("pause/set/", pause_views.pause_set, name="pause_set"),
    path("pause/banner/", pause_views.pause_banner, name="pause_banner"),
    path("pause/windows/", pause_views.window_add, name="window_add"),
    path("pause/windows/<int:pk>/delete/", pause_views.window_delete, name="window_delete"),
    path("effectiveness/confirm/", views.effectiveness_confirm, name="effectiveness_confirm"),
]
