"""JSON API for programs, authenticated with API keys (see stargate.apikeys)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from stargate.apikeys import api_key_required


@require_GET
@api_key_required("read")
def whoami(request: HttpRequest) -> JsonResponse:
    key = request.api_key  # type: ignore[attr-defined]
    return JsonResponse(
        {"user": request.user.get_username(), "key": key.name, "scopes": key.scopes}
    )
