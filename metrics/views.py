"""`GET /metrics`: the Prometheus exposition, behind a bearer token."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client.exposition import choose_encoder

from metrics.collector import registry


def _token_ok(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


@login_not_required  # Prometheus is no user: the bearer token is the credential
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """404 until STARGATE_METRICS_TOKEN is set (the endpoint does not exist); 401 without the
    token; else the exposition (OpenMetrics when the scraper asks for it)."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("Metrics are off: set STARGATE_METRICS_TOKEN")
    if not _token_ok(request, token):
        response = HttpResponse("a bearer token is required\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="stargate-metrics"'
        return response
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encoder(registry()), content_type=content_type)
