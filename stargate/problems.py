"""Errors of the JSON API as RFC 9457 problem details (`application/problem+json`).

Every error answer of `/api/v1/` has `type`, `title`, `status`, `detail` and `instance`, plus the
`error` key the first API answered with (the same text as `detail`). Operations raise
`ProblemError`; the handlers installed by `problem_handlers_install` turn it, and ninja's own
errors (validation, authentication, throttling, 404), into one shape.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Schema
from ninja.errors import HttpError, Throttled, ValidationError
from pydantic import Field

from stargate.apikeys import ApiKeyError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"
# Problem types: "about:blank" when the status says it all, else one of these (the README's list).
PREFIX = "urn:stargate:problem:"
INVALID = PREFIX + "invalid-request"
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


class Problem(Schema):
    """RFC 9457 problem details, with `error` (= `detail`) kept for the first API's clients."""

    type: str = Field("about:blank", description="A URI naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request.")
    instance: str = Field(description="The path of the request.")
    error: str = Field(description="The same as `detail` (the first API's key).")


class InvalidProblem(Problem):
    """A request that does not match the schema: `errors` says where."""

    errors: list[dict[str, Any]] = Field(default_factory=list)


class ProblemError(Exception):
    """Raised by an operation to answer with a problem; `extra` adds members to the body."""

    def __init__(
        self, status: int, detail: str, *, type: str = "about:blank", **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type
        self.extra = extra


def problem_response(
    request: HttpRequest, /, status: int, detail: str, *, type: str = "about:blank", **extra: Any
) -> HttpResponse:
    body = {
        "type": type,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.path,
        "error": detail,
        **extra,
    }
    response = JsonResponse(body, status=status, content_type=MEDIA_TYPE)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="stargate"'
    return response


def _problem(request: HttpRequest, exc: ProblemError) -> HttpResponse:
    return problem_response(request, exc.status, exc.detail, type=exc.type, **exc.extra)


def _api_key(request: HttpRequest, exc: ApiKeyError) -> HttpResponse:
    return problem_response(request, exc.status, exc.message)


def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    first = errors[0] if errors else {"loc": [], "msg": "invalid"}
    detail = f"{'.'.join(first['loc'])}: {first['msg']}"
    return problem_response(request, 400, detail, type=INVALID, errors=errors)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, Throttled):
        detail = "Too many requests with this API key: wait for the next minute (Retry-After)."
        return problem_response(request, 429, detail, type=PREFIX + "key-rate-limit")
    type_ = INVALID if exc.status_code == 400 else "about:blank"
    return problem_response(request, exc.status_code, str(exc), type=type_)


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(request, 404, "Not found")


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s", request.path, exc_info=exc)
    return problem_response(request, 500, "Internal error; it has been logged.")


Handler = Callable[[HttpRequest, Any], HttpResponse]
HANDLERS: tuple[tuple[type[Exception], Handler], ...] = (
    (ProblemError, _problem),
    (ApiKeyError, _api_key),
    (ValidationError, _invalid),
    (HttpError, _http_error),
    (Http404, _not_found),
    (Exception, _server_error),
)


def problem_handlers_install(api: NinjaAPI) -> None:
    for exc_class, handler in HANDLERS:
        api.add_exception_handler(exc_class, handler)
