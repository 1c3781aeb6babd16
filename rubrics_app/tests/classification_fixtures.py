"""Shared pieces of the classification tests: an unexplained failure, a scan, the task inline."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import Permission, User

from labs.models import LabInstance
from labs.tests.factories import platform_operator
from rubrics_app.services import lab_instances_evaluate
from scanning.models import LabEvidence

from .builders import T0, deployment, evidence, pod

NOW = datetime.fromisoformat(T0) + timedelta(hours=3)
SECRET = "Zq9planted7secret"


def unexplained(
    env: list[dict[str, Any]] | None = None, message: str = "", reason: str = "KeyringLocked"
) -> Any:
    """A Deployment whose pod failed for a reason no rubric rule knows: the default class."""
    failed = pod("web-1", last=reason, phase="Failed", reason=reason)
    if message:
        failed["status"]["message"] = message
    if env is not None:
        failed["spec"] = {
            "containers": [
                {"name": "c", "image": "quay.io/x/app:1", "envNames": [e["name"] for e in env]}
            ]
        }
    return evidence(deployments=[deployment(available=0)], pods=[failed])


def scan(lab: LabInstance, ev: Any, now: datetime = NOW) -> Any:
    """What the scanner does: store the evidence, then record the verdicts (one transaction)."""
    LabEvidence.objects.update_or_create(
        lab_instance=lab,
        defaults={"evidence": ev, "content_hash": "x", "collected_at": now, "changed_at": now},
    )
    return lab_instances_evaluate(items=[(lab, ev)], now=now)[0]


def reviewer(username: str = "rev") -> User:
    user = User.objects.create_user(username, password="pw-for-tests-1")
    user.user_permissions.add(Permission.objects.get(codename="review_classificationproposal"))
    platform_operator(user)  # reviews every team's labs (teams: dashboard/tests)
    return User.objects.get(pk=user.pk)
