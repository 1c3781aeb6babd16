"""The JSON API for programs, `/api/v1/`: django-ninja, typed with pydantic, OpenAPI 3.1.

Each app serves its resources from a `Router` in its own `api.py`, mounted here: a new app adds
one `add_router` line. Every operation needs an API key (`stargate.apiauth`, the `read` scope
unless the operation says otherwise), is rate limited per key, and answers errors as problem
details (`stargate.problems`). The schema is `/api/v1/openapi.json` (a session or a read key);
its docs page, `/api/v1/docs`, is for signed-in users.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, path
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Router, Schema
from ninja.openapi.docs import Swagger
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from pydantic import BaseModel

from collectors.api import router as integration_router
from dashboard.api import router as labs_router
from forecasting.api import router as provisioning_router
from remediation.api import router as remediation_router
from rubrics_app.api import router as classification_router
from scanning.api import router as scanning_router
from stargate.apiauth import READ, KeyRateThrottle
from stargate.apikeys import ApiKeyError
from stargate.problems import (
    INVALID,
    MEDIA_TYPE,
    InvalidProblem,
    Problem,
    ProblemError,
    problem_handlers_install,
    problem_response,
)

View = Callable[..., HttpResponse]
OperationFunc = Callable[..., Any]  # returns what the operation's response schema validates
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# Problems every operation may answer, besides the ones it declares.
AUTH_PROBLEMS = {
    401: "No API key, an invalid or revoked one, or an inactive owner.",
    403: "The key lacks the operation's scope, or its owner the permission.",
    429: "Over the key's rate limit (see Retry-After).",
}


class JsonOrFormParser(Parser):
    """JSON bodies, and form-encoded ones as the first API took (`curl -d reason=...`). A
    parameter of one value given several times stays a list, which its schema refuses."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type in FORM_TYPES:
            return request.POST.dict()
        return super().parse_body(request)

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        return {
            key: values if key in list_fields or len(values) > 1 else values[0]
            for key, values in data.lists()
        }


class StarGateApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """Ninja's schema, with the problem answers documented on every operation."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (Problem, InvalidProblem):
            schemas[model.__name__] = model.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
        for item in schema["paths"].values():
            for operation in item.values():
                _document_problems(operation)
        return schema


def _problem_content(name: str) -> dict[str, Any]:
    return {MEDIA_TYPE: {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _document_problems(operation: dict[str, Any]) -> None:
    responses: dict[int, Any] = operation["responses"]  # ninja's keys are ints
    for code, response in responses.items():
        if int(code) >= 400 and "application/json" in response.get("content", {}):
            response["content"] = {MEDIA_TYPE: response["content"]["application/json"]}
    for code, description in AUTH_PROBLEMS.items():
        problem = {"description": description, "content": _problem_content("Problem")}
        responses.setdefault(code, problem)
    invalid = {
        "description": "The request does not match the schema (or names a parameter "
        "the operation does not take).",
        "content": _problem_content("InvalidProblem"),
    }
    responses.setdefault(400, invalid)
    if any(p["in"] == "path" for p in operation.get("parameters", [])):
        missing = {"description": "No such object.", "content": _problem_content("Problem")}
        responses.setdefault(404, missing)


def refuse_unknown_query(view: OperationFunc) -> OperationFunc:
    """An operation's function, refusing query parameters it does not take (a misspelt filter
    must not list everything): 400."""

    @wraps(view)
    def wrapped(request: HttpRequest, **values: Any) -> Any:
        known = set(values)
        for value in values.values():
            if isinstance(value, BaseModel):
                known.update(type(value).model_fields)
        if unknown := sorted(set(request.GET) - known):
            raise ProblemError(400, f"unknown query parameters: {', '.join(unknown)}", type=INVALID)
        return view(request, **values)

    return wrapped


api_v1 = StarGateApi(
    title="StarGate API",
    version="1",
    description="Labs, clusters, scans and remediation for programs. Authenticate with "
    "`Authorization: Bearer sg_...` (an API key: `manage.py create_api_key` or the admin).",
    urls_namespace="api",
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    auth=READ,
    throttle=[KeyRateThrottle()],
    parser=JsonOrFormParser(),
)
problem_handlers_install(api_v1)
api_v1.add_decorator(refuse_unknown_query)


class WhoAmI(Schema):
    user: str
    key: str
    scopes: list[str]


stargate_router = Router(tags=["keys"])


@stargate_router.get("/whoami", response=WhoAmI, url_name="api_whoami")
def whoami(request: HttpRequest) -> WhoAmI:
    """The key's name, scopes and owner."""
    key = request.api_key  # type: ignore[attr-defined]
    return WhoAmI(user=key.owner.get_username(), key=key.name, scopes=key.scopes)


api_v1.add_router("", stargate_router)
# Before the labs router: `/clusters/capacity` must not be read as the cluster "capacity".
api_v1.add_router("", provisioning_router)
api_v1.add_router("", labs_router)
api_v1.add_router("", scanning_router)
api_v1.add_router("/remediation", remediation_router)
api_v1.add_router("/integration", integration_router)
api_v1.add_router("/rubrics", classification_router)


def _session_or_read_key(view: View) -> View:
    """The schema is for signed-in users (the docs page) and for programs with a read key."""

    @csrf_exempt
    @login_not_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            try:
                READ(request)
            except ApiKeyError as exc:
                return problem_response(request, exc.status, exc.message)
        return view(request, *args, **kwargs)

    return wrapped


def _key_before_405(view: View) -> View:
    """An operation's view, which authenticates itself: a method the path does not serve
    answers 401 without a key (as every API answer does), else a 405 problem."""

    @csrf_exempt
    @login_not_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        try:
            READ(request)
        except ApiKeyError as exc:
            return problem_response(request, exc.status, exc.message)
        problem = problem_response(request, 405, f"{request.method} is not served here")
        problem["Allow"] = response["Allow"]
        return problem

    return wrapped


@csrf_exempt
@login_not_required
def not_found(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """Any other path under /api/v1/: 401 without a key, else a 404 problem."""
    try:
        READ(request)
    except ApiKeyError as exc:
        return problem_response(request, exc.status, exc.message)
    return problem_response(request, 404, "No such API path")


def urlpatterns() -> list[URLPattern | URLResolver]:
    """Ninja's URL patterns: operations authenticate with keys (no login redirect), the schema
    takes a session or a key, the docs page a session; unknown paths answer a 404 problem."""
    patterns, _, _ = api_v1.urls
    for pattern in patterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name == "openapi-json":
            pattern.callback = _session_or_read_key(pattern.callback)
        elif pattern.name == "api-root":  # ninja needs its name to build the schema's paths
            pattern.callback = not_found
        elif pattern.name != "openapi-view":
            pattern.callback = _key_before_405(pattern.callback)
    return [*patterns, path("<path:rest>", not_found, name="api_not_found")]
