"""JSON API for programs: list, read, approve and reject action requests with an API key.

Included under `/api/v1/` by stargate/urls.py. Reads need the `read` scope; decisions need the
`approve` scope *and* an owner who holds `remediation.approve_actionrequest`, so a key never
grants more than its owner may do in the UI. Decisions go through the same services as the UI
(`source="api"`, the key's owner as the decider).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from labs.models import Cluster
from remediation import pauses, selectors, services
from remediation.models import ActionRequest
from stargate.apikeys import api_key_required

APPROVE = "remediation.approve_actionrequest"
PAUSE = "remediation.change_remediationpause"
MAX_LIMIT = 500
# query parameter -> ORM lookup
FILTERS = {
    "status": "status__in",
    "lab": "lab_instance__lab__catalog_item",
    "namespace": "lab_instance__namespace",
    "cluster": "lab_instance__cluster__name",
    "action": "action__action_id",
    "failure_class": "failure_class",
    "source": "source",
}


class BadRequest(Exception):
    pass


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def request_json(req: ActionRequest, *, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": req.pk,
        "status": req.status,
        "action": req.action.action_id,
        "risk": req.action.risk,
        "method": req.action.method or None,
        "lab": req.lab_instance.lab.catalog_item,
        "namespace": req.lab_instance.namespace,
        "cluster": req.lab_instance.cluster.name,
        "failure_class": req.failure_class,
        "parameters": req.parameters,
        "source": req.source,
        "requested_by": req.requested_by.get_username() if req.requested_by else None,
        "decided_by": req.decided_by.get_username() if req.decided_by else None,
        "decided_at": _iso(req.decided_at),
        "reason": req.reason,
        "expires_at": _iso(req.expires_at),
        "created_at": _iso(req.created_at),
        "finished_at": _iso(req.finished_at),
        "recovered": req.recovered,
        "escalated": req.escalated,
    }
    if detail:
        data |= {
            "gates": req.decision,
            "evidence": req.evidence,
            "confirmed": req.confirmed,
            "started_at": _iso(req.started_at),
            "result": req.result,
            "error": req.error,
            "recovered_seconds": req.recovered_seconds,
        }
    return data


def _filters(query: Any) -> dict[str, Any]:
    lookups: dict[str, Any] = {}
    for param, lookup in FILTERS.items():
        values = [v for v in query.getlist(param) if v]
        if param == "status":
            unknown = set(values) - set(ActionRequest.Status.values)
            if unknown:
                raise BadRequest(f"unknown status {sorted(unknown)}")
            if values:
                lookups[lookup] = values
        elif values:
            lookups[lookup] = values[0]
    if since := query.get("since"):
        parsed = parse_datetime(since)
        if parsed is None or parsed.tzinfo is None:
            raise BadRequest("since must be an ISO 8601 date-time with a time zone")
        lookups["created_at__gte"] = parsed
    return lookups


def _int_param(query: Any, name: str, default: int, maximum: int) -> int:
    try:
        value = int(query.get(name, default))
    except ValueError as exc:
        raise BadRequest(f"{name} must be an integer") from exc
    if not 0 <= value <= maximum:
        raise BadRequest(f"{name} must be between 0 and {maximum}")
    return value


@api_key_required("read")
@require_GET
def action_request_list(request: HttpRequest) -> JsonResponse:
    try:
        lookups = _filters(request.GET)
        limit = _int_param(request.GET, "limit", 100, MAX_LIMIT)
        offset = _int_param(request.GET, "offset", 0, 10**9)
    except BadRequest as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    queryset = selectors.action_requests().filter(**lookups)
    rows = [request_json(r) for r in queryset[offset : offset + limit]]
    return JsonResponse({"count": queryset.count(), "results": rows})


@api_key_required("read")
@require_GET
def action_request_detail(request: HttpRequest, pk: int) -> JsonResponse:
    action_request = get_object_or_404(selectors.action_requests(), pk=pk)
    return JsonResponse(request_json(action_request, detail=True))


def _reason(request: HttpRequest) -> str:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError as exc:
            raise BadRequest("the body is not valid JSON") from exc
        reason = body.get("reason", "") if isinstance(body, dict) else None
        if not isinstance(reason, str):
            raise BadRequest('the body must be {"reason": "..."}')
    else:
        reason = request.POST.get("reason", "")
    return reason[:1000].replace("\x00", "")


def _decide(request: HttpRequest, pk: int, decision: str) -> JsonResponse:
    user = request.user  # the key's owner, set by api_key_required
    if not isinstance(user, User) or not user.has_perm(APPROVE):
        return JsonResponse({"error": f"the key's owner lacks {APPROVE}"}, status=403)
    action_request = get_object_or_404(ActionRequest, pk=pk)
    try:
        reason = _reason(request)
    except BadRequest as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    if not reason.strip():  # as on the queue page: every decision says why
        return JsonResponse({"error": "a decision needs a reason"}, status=400)
    service = (
        services.action_request_approve if decision == "approve" else services.action_request_reject
    )
    try:
        service(
            action_request=action_request, approver=user, reason=reason,
            source=ActionRequest.Source.API,
        )  # fmt: skip
    except services.ActionAlreadyDecided as exc:
        current = selectors.action_requests().get(pk=exc.action_request.pk)
        body = {"error": "already decided or expired", "request": request_json(current)}
        return JsonResponse(body, status=409)
    except services.GateRefused as exc:
        current = selectors.action_requests().get(pk=pk)
        refused = {
            "error": str(exc),
            "obsolete": exc.obsolete,
            "gates": [b.as_dict() for b in exc.blockers],
            "request": request_json(current),
        }
        return JsonResponse(refused, status=409)
    except services.RateLimitReached:
        current = selectors.action_requests().get(pk=pk)
        body = {"error": "hourly action limit reached", "request": request_json(current)}
        return JsonResponse(body, status=429)
    return JsonResponse(request_json(selectors.action_requests().get(pk=pk), detail=True))


def _pause_json() -> dict[str, Any]:
    state = pauses.pause_state()
    return {
        "paused": [
            {"cluster": s.cluster.name if s.cluster else None, "reason": s.reason,
             "changed_by": s.changed_by.get_username() if s.changed_by else None,
             "changed_at": _iso(s.changed_at)}
            for s in state.switches
        ],
        "maintenance_windows": [pauses.window_json(w) for w in state.windows],
    }  # fmt: skip


def _pause_body(request: HttpRequest) -> tuple[bool, str, Cluster | None]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError as exc:
        raise BadRequest("the body is not valid JSON") from exc
    if not isinstance(body, dict) or not isinstance(body.get("paused"), bool):
        raise BadRequest('the body must be {"paused": true|false, "reason": "...", "cluster": ...}')
    reason = body.get("reason") or ""
    if not isinstance(reason, str) or (body["paused"] and not reason.strip()):
        raise BadRequest("pausing needs a reason")
    name = body.get("cluster")
    cluster = Cluster.objects.filter(name=name).first() if name else None
    if name and cluster is None:
        raise BadRequest(f"unknown cluster {name!r}")
    return body["paused"], reason[:1000].replace("\x00", ""), cluster


@api_key_required("read")
def remediation_pause(request: HttpRequest) -> HttpResponse:
    """GET: the switches that are on and the windows open now. POST (approve scope, owner with
    remediation.change_remediationpause): {"paused": bool, "reason": str, "cluster": name?}."""
    if request.method == "GET":
        return JsonResponse(_pause_json())
    if request.method != "POST":
        return JsonResponse({"error": "GET or POST"}, status=405)
    return _pause_change(request)


@api_key_required("approve")
def _pause_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not user.has_perm(PAUSE):
        return JsonResponse({"error": f"the key's owner lacks {PAUSE}"}, status=403)
    try:
        paused, reason, cluster = _pause_body(request)
    except BadRequest as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    pauses.remediation_pause_set(
        cluster=cluster, paused=paused, reason=reason, user=user, source=ActionRequest.Source.API
    )
    return JsonResponse(_pause_json())


@api_key_required("approve")
@require_POST
def action_request_approve(request: HttpRequest, pk: int) -> JsonResponse:
    return _decide(request, pk, "approve")


@api_key_required("approve")
@require_POST
def action_request_reject(request: HttpRequest, pk: int) -> JsonResponse:
    return _decide(request, pk, "reject")


urlpatterns: list[URLPattern] = [
    path("remediation/pause", remediation_pause, name="api_remediation_pause"),
    path("remediation/requests", action_request_list, name="api_action_request_list"),
    path(
        "remediation/requests/<int:pk>",
        action_request_detail,
        name="api_action_request_detail",
    ),
    path(
        "remediation/requests/<int:pk>/approve",
        action_request_approve,
        name="api_action_request_approve",
    ),
    path(
        "remediation/requests/<int:pk>/reject",
        action_request_reject,
        name="api_action_request_reject",
    ),
]
