"""Configuration audit: every change to an audited model is a `ConfigChange` row, with who made it
(a user through the admin, a page or the API; `system:<command>` for a management command;
`task:<function>` for a worker task), when, and each audited field before and after.

To audit a model, add one line to `AUDITED`: the model's label and the fields *not* audited
(state StarGate maintains itself, such as a cluster's reachability). Every other concrete field
is audited, so a configuration field added later is audited without a change here.

Changes are captured from the model signals, so writes must go through `save()`/`delete()`:
a `QuerySet.update()` is not seen. Use `config_rows_update` for a bulk change of audited rows.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from stargate.models import ConfigChange

AUDITED: dict[str, tuple[str, ...]] = {
    # "app_label.Model": fields NOT audited (every other concrete field is).
    "labs.Lab": (),
    "labs.Cluster": (
        "reachable",
        "unreachable_since",
        "last_error",
        "consecutive_failures",
        "last_seen_at",
        "api_latency_ms",
        "ingress_domain",
    ),
    "remediation.RemediationAction": ("updated_at",),
    "remediation.RemediationPause": ("changed_at",),
    "remediation.MaintenanceWindow": ("created_at",),
}

Source = ConfigChange.Source
_BEFORE = "_configaudit_before"


@dataclass(frozen=True)
class Actor:
    name: str
    source: str
    user: User | None = None


SYSTEM = Actor("system", Source.SYSTEM)
_current: ContextVar[Actor | HttpRequest | None] = ContextVar("config_actor", default=None)
_task_tokens: list[Token[Actor | HttpRequest | None]] = []


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Attribute the configuration changes made inside the block to `actor`."""
    token = _current.set(actor)
    try:
        yield
    finally:
        _current.reset(token)


def current_actor() -> Actor:
    value = _current.get()
    if value is None:
        return SYSTEM
    if isinstance(value, Actor):
        return value
    return _request_actor(value)


def _request_actor(request: HttpRequest) -> Actor:
    # Read at save time, not when the request starts: API-key views set `request.user` later.
    user = getattr(request, "user", None)
    if request.path.startswith(reverse("admin:index")):
        source = Source.ADMIN
    elif request.path.startswith("/api/"):
        source = Source.API
    else:
        source = Source.WEB
    if user is None or not user.is_authenticated:
        return Actor("anonymous", source)
    return Actor(user.get_username(), source, user)


def config_audit_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Makes the request's user the actor of the changes made while it is served."""

    def middleware(request: HttpRequest) -> HttpResponse:
        token = _current.set(request)
        try:
            return get_response(request)
        finally:
            _current.reset(token)

    return middleware


def config_rows_update(queryset: models.QuerySet[Any], **values: Any) -> int:
    """`queryset.update(**values)` row by row through `save()`, so that each change is audited
    (audited models are small configuration tables)."""
    rows = list(queryset)
    for row in rows:
        for name, value in values.items():
            setattr(row, name, value)
        row.save()
    return len(rows)


# Who reads which changes (the configuration audit page and its admin). Each app that owns
# audited models registers a scope: for a user, a `Q` over `ConfigChange` selecting the changes of
# the objects they may see, or None when they see every change (platform operators, given by
# `labs`). With no scope registered, every change is shown; a model no scope names is shown to
# those who see every change only.
ChangeScope = Callable[[Any], "models.Q | None"]
_scopes: list[ChangeScope] = []


def change_scope_register(scope: ChangeScope) -> None:
    if scope not in _scopes:
        _scopes.append(scope)


def config_changes_for(user: Any) -> models.QuerySet[ConfigChange]:
    """The changes `user` may read (see `change_scope_register`)."""
    changes = ConfigChange.objects.all()
    if not _scopes:
        return changes
    seen = models.Q(pk__in=[])
    for scope in _scopes:
        found = scope(user)
        if found is None:
            return changes
        seen |= found
    return changes.filter(seen)


def audited_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    excluded = AUDITED[model._meta.label]
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in excluded
    ]


def _snapshot(instance: models.Model) -> dict[str, Any]:
    values = {}
    for field in audited_fields(type(instance)):
        if field.is_relation:
            related = getattr(instance, field.name)
            values[field.name] = None if related is None else str(related)
        else:
            values[field.name] = field.value_from_object(instance)
    # Through JSON once, so that before and after compare as they are stored.
    loaded: dict[str, Any] = json.loads(json.dumps(values, cls=DjangoJSONEncoder))
    return loaded


def _record(
    instance: models.Model, action: str, before: dict[str, Any], after: dict[str, Any]
) -> None:
    changes = {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }
    if not changes and action == ConfigChange.Action.UPDATED:
        return
    actor = current_actor()
    ConfigChange.objects.create(
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        changes=changes,
        user=actor.user,
        actor=actor.name[:150],
        source=actor.source,
        at=timezone.now(),
    )


def _before_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    old = None
    if not instance._state.adding and instance.pk is not None:
        old = sender._base_manager.filter(pk=instance.pk).first()
    setattr(instance, _BEFORE, None if old is None else _snapshot(old))


def _after_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    before = getattr(instance, _BEFORE, None)
    after = _snapshot(instance)
    if before is None or kwargs.get("created"):
        _record(instance, ConfigChange.Action.CREATED, {}, after)
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None:
        # Only these were written; the instance's other values may be stale.
        after = {name: value for name, value in after.items() if name in update_fields}
        before = {name: value for name, value in before.items() if name in update_fields}
    _record(instance, ConfigChange.Action.UPDATED, before, after)


def _after_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    _record(instance, ConfigChange.Action.DELETED, _snapshot(instance), {})


def _task_started(sender: Any, func: Any = None, task: Any = None, **kwargs: Any) -> None:
    name = getattr(func, "__qualname__", None)
    label = f"{func.__module__}.{name}" if name else str((task or {}).get("func", "?"))
    _task_tokens.append(_current.set(Actor(f"task:{label}", Source.TASK)))


def _task_finished(sender: Any, **kwargs: Any) -> None:
    if _task_tokens:
        _current.reset(_task_tokens.pop())


def _command_actor(execute: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(execute)
    def wrapper(self: BaseCommand, *args: Any, **options: Any) -> Any:
        name = type(self).__module__.rsplit(".", 1)[-1]
        with acting_as(Actor(f"system:{name}", Source.COMMAND)):
            return execute(self, *args, **options)

    wrapper.configaudit = True  # type: ignore[attr-defined]
    return wrapper


def connect() -> None:
    """Called once from `StargateConfig.ready`: the signals of every audited model, the worker
    task hooks, and the actor of management commands."""
    from django_q.signals import post_execute_in_worker, pre_execute

    for label in AUDITED:
        model = apps.get_model(label)
        uid = f"configaudit-{label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(_after_save, sender=model, dispatch_uid=uid)
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)
    pre_execute.connect(_task_started, dispatch_uid="configaudit")
    post_execute_in_worker.connect(_task_finished, dispatch_uid="configaudit")
    if not getattr(BaseCommand.execute, "configaudit", False):
        BaseCommand.execute = _command_actor(BaseCommand.execute)  # type: ignore[method-assign]
