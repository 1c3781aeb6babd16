from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Avg, Count, Q, QuerySet

from remediation.effectiveness import EffectivenessRow, suggestion
from remediation.models import ActionRequest, RemediationAction

Status = ActionRequest.Status


def catalog_actions() -> QuerySet[RemediationAction]:
    """The catalog as loaded (`load_catalog`): enabled first, by method (the diagnostic actions,
    which have none, last), then id."""
    return RemediationAction.objects.order_by("-enabled", "-method", "action_id")


def pending_count() -> int:
    return ActionRequest.objects.filter(status=Status.PENDING).count()


def approval_queue() -> QuerySet[ActionRequest]:
    """Everything a human decided or may decide; recommendations live on the lab pages."""
    return (
        ActionRequest.objects.select_related(
            "action", "lab_instance__cluster", "lab_instance__lab", "requested_by", "decided_by"
        )
        .exclude(status=Status.RECOMMENDED)
        .order_by("-created_at")
    )


def effectiveness_rows() -> list[EffectivenessRow]:
    finished = ActionRequest.objects.filter(status__in=[Status.SUCCEEDED, Status.FAILED])
    grouped = (
        finished.values("failure_class", "action__action_id", "action__risk")
        .annotate(
            n_runs=Count("pk"),
            n_succeeded=Count("pk", filter=Q(status=Status.SUCCEEDED)),
            n_verified=Count("pk", filter=Q(recovered__isnull=False)),
            n_recovered=Count("pk", filter=Q(recovered=True)),
            seconds=Avg("recovered_seconds", filter=Q(recovered=True)),
        )
        .order_by("failure_class", "action__action_id")
    )
    rows = []
    for item in grouped:
        row = EffectivenessRow(
            failure_class=item["failure_class"],
            action_id=item["action__action_id"],
            risk=item["action__risk"],
            runs=item["n_runs"],
            succeeded=item["n_succeeded"],
            verified=item["n_verified"],
            recovered=item["n_recovered"],
            mean_seconds_to_ready=item["seconds"],
        )
        rows.append(row.with_suggestion(suggestion(row)))
    return rows


def action_requests_for(user: User) -> QuerySet[ActionRequest]:
    """The requests `user` may see (the API reads through here): every one, for now; team
    scoping narrows it here."""
    return action_requests()


def action_requests() -> QuerySet[ActionRequest]:
    """Every request, newest first, with what the API and the pages show of it."""
    return ActionRequest.objects.select_related(
        "action", "lab_instance__cluster", "lab_instance__lab", "requested_by", "decided_by"
    ).order_by("-created_at", "-pk")
