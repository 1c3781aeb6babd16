"""Probes and `/metrics` answer requests addressed to the pod's IP.

The kubelet's probes and Prometheus reach a pod by its address: their Host header is
`<pod IP>:8000`, which `ALLOWED_HOSTS` (the public host names) does not list, so
`CommonMiddleware` would answer 400 before any view. Those few views read no host, no session
and no user; this middleware, placed before `CommonMiddleware` (after `SecurityMiddleware`, whose
HTTPS redirect exempts them), calls them directly. Every other path goes the usual way.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, resolve, reverse

URL_NAMES = ("healthz", "readyz", "metrics:metrics")


@cache
def pod_paths() -> frozenset[str]:
    paths = set()
    for name in URL_NAMES:
        try:
            paths.add(reverse(name))
        except NoReverseMatch:  # an app left out of INSTALLED_APPS
            continue
    return frozenset(paths)


def pod_address_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path_info not in pod_paths():
            return get_response(request)
        match = resolve(request.path_info)
        response: HttpResponse = match.func(request, *match.args, **match.kwargs)
        return response

    return middleware
