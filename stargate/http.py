from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_htmx.middleware import HtmxDetails


class AuthedHtmxRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


def htmx_partial(request: AuthedHtmxRequest) -> bool:
    """True for htmx requests that want a fragment rather than a boosted full page."""
    return bool(request.htmx) and not request.htmx.boosted
