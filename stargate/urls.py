from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView

from stargate import api, configaudit_views, health

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Browsers ask every site for it, logged in or not (pages link the SVG themselves).
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
        name="favicon",
    ),
    path("accounts/", include("allauth.urls")),
    # allauth's form, with its throttle, is the one way to change one's own password.
    path(
        "admin/password_change/",
        RedirectView.as_view(pattern_name="account_change_password"),
        name="admin_password_change",
    ),
    path("admin/", admin.site.urls),
    path(
        "config-changes/",
        configaudit_views.config_change_list,
        name="config_change_list",
    ),
    path("api/v1/", include((api.urlpatterns(), "api"), namespace="api")),
    path("scans/", include("scanning.urls")),
    path("rubrics/", include("rubrics_app.urls")),
    path("remediation/", include("remediation.urls")),
    path("forecasting/", include("forecasting.urls")),
    path("recommendations/", include("recommendations.urls")),
    path("sources/", include("collectors.urls")),
    path("incidents/", include("incidents.urls")),
    path("", include("dashboard.urls")),
]
