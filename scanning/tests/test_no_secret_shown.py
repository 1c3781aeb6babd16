"""Property: generated secrets planted in every free-text field of the real captures are found
in no stored row, no page and no API answer after a scan of every tier."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from labs.models import LabInstance
from remediation.models import ActionRequest, RemediationAction
from scanning.models import LabEvidence, ScanRun
from scanning.services import scan_run_execute
from scanning.tests.fixtures_scan import cluster_row
from scanning.tests.secret_search import all_rows_text, pages_text
from scanning.tests.secret_strategies import Embedded, messages_with_secret
from simulator import Store
from simulator.captures import read_captures

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.smoke]

DV_MESSAGE = "cdi.kubevirt.io/storage.condition.running.message"  # a kept annotation
examples = itertools.count()


def plant(obj: dict[str, Any], secrets: Iterator[Embedded]) -> None:
    """A secret in every free-text field the scanner keeps: each condition's and container
    state's message, a pod's status message, an event's message, an AnarchySubject's run
    message and the DataVolume annotation CDI copies its condition message into."""
    for holder in _dicts(obj):
        if "message" in holder or "lastTransitionTime" in holder or "exitCode" in holder:
            holder["message"] = f"{holder.get('message', '')} {next(secrets)[0]}".strip()
    status = obj.setdefault("status", {}) if obj.get("kind") != "Event" else obj
    if isinstance(status, dict) and obj.get("kind") in ("Pod", "Event"):
        status["message"] = next(secrets)[0]
    if obj.get("kind") == "AnarchySubject":
        obj["status"]["runStatusMessage"] = next(secrets)[0]
    if obj.get("kind") == "DataVolume":
        obj["metadata"].setdefault("annotations", {})[DV_MESSAGE] = next(secrets)[0]
    for state in _container_states(obj):
        state["message"] = next(secrets)[0]


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _dicts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _dicts(item)


def _container_states(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    status = obj.get("status") or {}
    for key in ("containerStatuses", "initContainerStatuses"):
        for container in status.get(key) or []:
            for state in ("state", "lastState"):
                yield from (container.get(state) or {}).values()


@pytest.fixture(scope="module")
def captured(captures: Path) -> list[dict[str, Any]]:
    return read_captures(captures).objects


@hypothesis_settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(secrets=st.lists(messages_with_secret(), min_size=12, max_size=12))
def test_it_shows_no_planted_secret_anywhere(
    secrets: list[Embedded],
    captured: list[dict[str, Any]],
    simulator_server: Any,
    admin_user: User,
    settings: Any,
) -> None:
    objects = copy.deepcopy(captured)
    cycle = itertools.cycle(secrets)
    for obj in objects:
        plant(obj, cycle)
    name = f"planted{next(examples)}"
    store = Store(name)
    store.load(objects, stamp=False)
    namespaces = {o["metadata"].get("namespace") for o in objects} - {None}
    settings.WATCHED_NAMESPACES = sorted(namespaces)
    cluster = cluster_row(simulator_server(stores={name: store}), name)
    for tier in (1, 3, 4, 2):
        assert scan_run_execute(cluster=cluster, tier=tier).status == ScanRun.Status.SUCCEEDED
    _request_per_lab()

    assert LabEvidence.objects.filter(lab_instance__cluster=cluster).count() > 5
    client = Client()
    client.force_login(admin_user)
    shown = all_rows_text() + pages_text(client)
    leaked = [(text, secret) for text, secret in secrets if secret in shown]
    assert leaked == []


def _request_per_lab() -> None:
    """An action request holding each failing lab's evidence, for the API and approval queue."""
    action = RemediationAction.objects.first()
    if action is None:
        action = RemediationAction.objects.create(
            action_id="diagnose", description="d", risk="low", scope="namespace"
        )
    for instance in LabInstance.objects.exclude(evidence=None).select_related("evidence"):
        ActionRequest.objects.get_or_create(
            lab_instance=instance,
            action=action,
            defaults={
                "status": ActionRequest.Status.PENDING,
                "failure_class": instance.failure_class or "unknown",
                "evidence": instance.evidence.evidence,
                "source": ActionRequest.Source.AUTO,
            },
        )
