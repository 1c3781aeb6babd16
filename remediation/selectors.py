from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import Avg, Count, Q, QuerySet

from labs.selectors import Audience, audience_of, visible_clusters, visible_labs
from remediation import pauses
from remediation.effectiveness import EffectivenessRow, suggestion
from remediation.models import (
    ActionRequest,
    MaintenanceWindow,
    RemediationAction,
    RemediationPause,
)

Status = ActionRequest.Status


def visible_action_requests(audience: Audience) -> QuerySet[ActionRequest]:
    """The requests of the labs `audience` sees (every one, for platform operators)."""
    if audience.everything:
        return ActionRequest.objects.all()
    return ActionRequest.objects.filter(lab_instance__lab__team_id__in=sorted(audience.team_ids))


def catalog_actions() -> QuerySet[RemediationAction]:
    """The catalog as loaded (`load_catalog`): enabled first, by method (the diagnostic actions,
    which have none, last), then id."""
    return RemediationAction.objects.order_by("-enabled", "-method", "action_id")


def pending_count(audience: Audience) -> int:
    return visible_action_requests(audience).filter(status=Status.PENDING).count()


def approval_queue(audience: Audience) -> QuerySet[ActionRequest]:
    """Everything a human decided or may decide, of the labs `audience` sees; recommendations
    live on the lab pages."""
    return (
        visible_action_requests(audience)
        .select_related(
            "action", "lab_instance__cluster", "lab_instance__lab", "requested_by", "decided_by"
        )
        .exclude(status=Status.RECOMMENDED)
        .order_by("-created_at")
    )


def effectiveness_rows(audience: Audience) -> list[EffectivenessRow]:
    """Runs, successes and recoveries by failure class and action, over the labs `audience`
    sees."""
    finished = visible_action_requests(audience).filter(
        status__in=[Status.SUCCEEDED, Status.FAILED]
    )
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
    """The requests `user` may see, and so decide (with the approve permission): those of their
    teams' labs, every one for platform operators. Pages and the API read through here."""
    return action_requests(audience_of(user))


def action_requests(audience: Audience) -> QuerySet[ActionRequest]:
    """The requests `audience` sees, newest first, with what the API and the pages show."""
    return (
        visible_action_requests(audience)
        .select_related(
            "action", "lab_instance__cluster", "lab_instance__lab", "requested_by", "decided_by"
        )
        .order_by("-created_at", "-pk")
    )


def visible_windows(audience: Audience) -> QuerySet[MaintenanceWindow]:
    """Maintenance windows on no cluster or a visible one, for no catalog item or a visible
    one: another team's catalog item or cluster is never named."""
    windows = MaintenanceWindow.objects.all()
    if audience.everything:
        return windows
    return windows.filter(
        Q(cluster__isnull=True) | Q(cluster__in=visible_clusters(audience)),
        Q(lab__isnull=True) | Q(lab__in=visible_labs(audience)),
    )


def pause_state_for(user: User) -> pauses.PauseState:
    """The switches that are on and the windows open now, as far as `user` may see them."""
    audience = audience_of(user)
    state = pauses.pause_state()
    if audience.everything:
        return state
    clusters = set(visible_clusters(audience).values_list("pk", flat=True))
    windows = set(visible_windows(audience).values_list("pk", flat=True))
    return pauses.PauseState(
        switches=[s for s in state.switches if s.cluster_id is None or s.cluster_id in clusters],
        windows=[w for w in state.windows if w.pk in windows],
    )


def config_changes_seen(user: Any) -> Q:
    """The configuration changes (`stargate.configaudit`) of remediation a team member reads:
    the catalog's actions (shared by every team), the global pause switch and those of their
    clusters, and the maintenance windows they see (`visible_windows`; a deleted window's
    changes are for platform operators, as nothing says whose it was)."""
    audience = audience_of(user)
    clusters = visible_clusters(audience).values_list("pk", flat=True)
    pauses_seen = RemediationPause.objects.filter(Q(cluster__isnull=True) | Q(cluster__in=clusters))
    windows = visible_windows(audience).values_list("pk", flat=True)
    return (
        Q(model="remediation.remediationaction")
        | Q(model="remediation.remediationpause", object_id__in=_ids(pauses_seen))
        | Q(model="remediation.maintenancewindow", object_id__in=[str(pk) for pk in windows])
    )


def _ids(rows: QuerySet[Any]) -> list[str]:
    return [str(pk) for pk in rows.values_list("pk", flat=True)]
