"""The resource verbs: list (paginated, filtered), watch, get, create, replace, patch, delete."""

from __future__ import annotations

import base64
import copy
from collections.abc import Mapping
from typing import Any

import orjson
from aiohttp import web

from simulator import patch as patches
from simulator.faults import Faults
from simulator.kinds import Kind, kind_for_object
from simulator.paths import Target
from simulator.selectors import Matcher, SelectorError, field_selector, label_selector
from simulator.status import json_response, status_response
from simulator.store import AlreadyExists, Conflict, NotFound, Obj, Store, now_iso
from simulator.watch import WatchRequest, stream_watch

BOOKMARK_SECONDS = 1.0


class ResourceApi:
    """Answers resource requests for one cluster's store."""

    def __init__(self, store: Store, faults: Faults) -> None:
        self.store = store
        self.faults = faults
        self.bookmark_interval = BOOKMARK_SECONDS

    async def handle(self, request: web.Request, target: Target) -> web.StreamResponse:
        method, named = request.method, target.name is not None
        verb = {
            "GET": "get" if named else "list",
            "POST": "create",
            "PUT": "update",
            "PATCH": "patch",
            "DELETE": "delete",
        }.get(method, "")
        if verb not in target.kind.verbs or named == (verb in ("create", "list")):
            return status_response(405, "MethodNotAllowed", f"{method} is not supported here")
        try:
            return await self._dispatch(request, target, verb)
        except NotFound:
            return _not_found(target)
        except AlreadyExists as error:
            return status_response(409, "AlreadyExists", f'{target.kind.plural} "{error}" exists')
        except Conflict as error:
            message = f'{target.kind.plural} "{error}": the object has been modified'
            return status_response(409, "Conflict", message)
        except (SelectorError, patches.PatchError, ValueError) as error:
            return status_response(400, "BadRequest", str(error))

    async def _dispatch(
        self, request: web.Request, target: Target, verb: str
    ) -> web.StreamResponse:
        if verb == "list":
            return await self._list(request, target)
        if verb == "get":
            return self._get(target, request.query)
        if verb == "delete":
            return self._delete(target)
        if "protobuf" in request.content_type:
            return status_response(415, "UnsupportedMediaType", "send JSON, not protobuf")
        body = orjson.loads(await request.read())
        if verb == "create":
            return self._create(target, body)
        if verb == "update":
            return self._replace(target, body)
        return self._patch(target, body, request.content_type)

    def _existing(self, target: Target) -> Obj:
        obj = self.store.get(target.kind, target.store_namespace, target.name or "")
        if obj is None:
            raise NotFound(target.name)
        return obj

    def _get(self, target: Target, query: Mapping[str, str]) -> web.Response:
        obj = self._existing(target)
        if target.subresource == "scale":
            return json_response(_scale(obj))
        if target.subresource == "log":
            return web.Response(text=pod_log(obj, query), content_type="text/plain")
        return json_response(obj)

    async def _list(self, request: web.Request, target: Target) -> web.StreamResponse:
        query = request.query
        matches = _matcher(query.get("labelSelector", ""), query.get("fieldSelector", ""))
        if _flag(query.get("watch")):
            watch = WatchRequest(
                target,
                matches,
                query.get("resourceVersion", ""),
                float(query.get("timeoutSeconds", "1800")),
                _flag(query.get("allowWatchBookmarks")),
                self.bookmark_interval,
            )
            return await stream_watch(request, self.store, self.faults, watch)
        rv = self.store.resource_version
        expired = self._expired(query, rv)
        if expired:
            return status_response(410, "Expired", expired)
        items = [o for o in self.store.list(target.kind, target.namespace) if matches(o)]
        page, token, remaining = _paginate(items, query.get("limit"), query.get("continue"), rv)
        meta: dict[str, Any] = {"resourceVersion": str(rv)}
        if token:
            meta.update({"continue": token, "remainingItemCount": remaining})
        kind = target.kind
        return json_response(
            {
                "kind": f"{kind.kind}List",
                "apiVersion": kind.api_version,
                "metadata": meta,
                "items": page,
            }
        )

    def _expired(self, query: Mapping[str, str], rv: int) -> str:
        """Why the list cannot be served (410 Gone), or "".

        Only the current state is kept: an exact older resourceVersion cannot be served, and a
        continue token outlives a compaction of the history (`Store.compact`) no more than on a
        real API server.
        """
        token = query.get("continue")
        if token and _token_version(token) < self.store.oldest_resource_version:
            return (
                "The provided continue parameter is too old to display a consistent list "
                "result. You can start a new list without the continue parameter."
            )
        wanted = query.get("resourceVersion", "")
        if query.get("resourceVersionMatch") == "Exact" and wanted != str(rv):
            return f"too old resource version: {wanted} ({rv})"
        return ""

    def _create(self, target: Target, body: Obj) -> web.Response:
        body.setdefault("apiVersion", target.kind.api_version)
        body.setdefault("kind", target.kind.kind)
        if target.kind.namespaced:
            body.setdefault("metadata", {})["namespace"] = target.namespace
        return json_response(self.store.create(target.kind, body), status=201)

    def _replace(self, target: Target, body: Obj) -> web.Response:
        old = self._existing(target)
        body["metadata"] = {**body.get("metadata", {}), "name": target.name}
        if target.kind.namespaced:
            body["metadata"]["namespace"] = target.namespace
        if target.subresource == "scale":
            return json_response(_scale(self._scaled(old, body)))
        return json_response(self.store.update(target.kind, body))

    def _patch(self, target: Target, body: Any, content_type: str) -> web.Response:
        old = self._existing(target)
        if content_type not in patches.PATCH_TYPES:
            return status_response(415, "UnsupportedMediaType", f"{content_type} not supported")
        document = _scale(old) if target.subresource == "scale" else copy.deepcopy(old)
        if content_type == patches.JSON_PATCH:
            patched = patches.json_patch(document, body)
        elif content_type == patches.MERGE_PATCH:
            patched = patches.merge_patch(document, body)
        else:
            patched = patches.strategic_merge_patch(document, body)
        if target.subresource == "scale":
            return json_response(_scale(self._scaled(old, patched)))
        patched["metadata"]["name"] = old["metadata"]["name"]
        if target.kind.namespaced:
            patched["metadata"]["namespace"] = old["metadata"]["namespace"]
        return json_response(self.store.update(target.kind, patched))

    def _scaled(self, old: Obj, scale: Obj) -> Obj:
        replicas = int(scale.get("spec", {}).get("replicas", 0))
        obj = copy.deepcopy(old)
        obj["spec"]["replicas"] = replicas
        kind = _kind_of(old)
        return self.store.update(kind, obj)

    def _delete(self, target: Target) -> web.Response:
        old = self._existing(target)
        if target.kind.kind == "Namespace":
            if old["metadata"].get("deletionTimestamp"):
                return json_response(old)
            obj = copy.deepcopy(old)
            obj["metadata"]["deletionTimestamp"] = now_iso()
            obj.setdefault("status", {})["phase"] = "Terminating"
            return json_response(self.store.update(target.kind, obj))
        gone = self.store.delete(target.kind, target.store_namespace, target.name or "")
        return json_response(gone)


def _flag(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1")


def _kind_of(obj: Obj) -> Kind:
    kind = kind_for_object(obj)
    if kind is None:
        raise ValueError(f"unknown kind {obj.get('kind')!r}")
    return kind


def _not_found(target: Target) -> web.Response:
    kind = target.kind
    return status_response(
        404,
        "NotFound",
        f'{kind.plural}{"." + kind.group if kind.group else ""} "{target.name}" not found',
        name=target.name or "",
        group=kind.group,
        kind=kind.plural,
    )


def _matcher(labels: str, fields: str) -> Matcher:
    by_label = label_selector(labels) if labels else None
    by_field = field_selector(fields) if fields else None
    return lambda obj: (by_label is None or by_label(obj)) and (by_field is None or by_field(obj))


def _position(obj: Obj) -> tuple[str, str]:
    meta = obj["metadata"]
    return (meta.get("namespace", ""), meta["name"])


def _token_version(token: str) -> int:
    try:
        return int(orjson.loads(base64.urlsafe_b64decode(token))["rv"])
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError("invalid continue token") from error


def _paginate(
    items: list[Obj], limit: str | None, token: str | None, rv: int
) -> tuple[list[Obj], str, int]:
    """One page of `items` (sorted by namespace, name) and the token for the next one."""
    if token:
        try:
            after = tuple(orjson.loads(base64.urlsafe_b64decode(token))["after"])
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError("invalid continue token") from error
        items = [o for o in items if _position(o) > after]
    if not limit or int(limit) <= 0 or len(items) <= int(limit):
        return items, "", 0
    page = items[: int(limit)]
    next_token = {"after": list(_position(page[-1])), "rv": rv}
    encoded = base64.urlsafe_b64encode(orjson.dumps(next_token)).decode()
    return page, encoded, len(items) - len(page)


def _scale(obj: Obj) -> Obj:
    meta, spec = obj["metadata"], obj.get("spec", {})
    selector = spec.get("selector", {}).get("matchLabels", {})
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            k: meta.get(k)
            for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
        },
        "spec": {"replicas": spec.get("replicas", 0)},
        "status": {
            "replicas": obj.get("status", {}).get("replicas", 0),
            "selector": ",".join(f"{k}={v}" for k, v in selector.items()),
        },
    }


LOG_ANNOTATION = "simulator.stargate.dev/log"  # a test plants a pod's log here
PREVIOUS_LOG_ANNOTATION = "simulator.stargate.dev/previous-log"  # the previous container's


def pod_log(pod: Obj, query: Mapping[str, str]) -> str:
    """A pod's log as the API serves it: `previous`, `tailLines` and `limitBytes` honoured."""
    annotations = pod.get("metadata", {}).get("annotations") or {}
    key = PREVIOUS_LOG_ANNOTATION if _flag(query.get("previous")) else LOG_ANNOTATION
    default = f"simulated log of pod {pod.get('metadata', {}).get('name', '')}\n"
    text = str(annotations.get(key, default))
    if query.get("tailLines", "").isdigit():
        lines = text.splitlines(keepends=True)
        text = "".join(lines[-int(query["tailLines"]) :]) if int(query["tailLines"]) else ""
    if query.get("limitBytes", "").isdigit():
        text = text.encode()[: int(query["limitBytes"])].decode(errors="ignore")
    return text
