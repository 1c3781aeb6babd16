from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from stargate.auth import password_reset_enabled


def stargate(request: HttpRequest) -> dict[str, object]:
    return {
        "stargate_mode": settings.MODE,
        "local_login_enabled": settings.LOCAL_LOGIN,
        "password_reset_enabled": password_reset_enabled(),
        "sso_enabled": bool(settings.OIDC_SERVER_URL),
        "sso_name": settings.OIDC_PROVIDER_NAME,
    }
