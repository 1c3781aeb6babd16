from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from labs.models import Cluster, Status


def cluster_list_with_counts() -> QuerySet[Cluster]:
    live = Q(lab_instances__deleted_at__isnull=True)
    return Cluster.objects.annotate(
        labs_total=Count("lab_instances", filter=live),
        labs_failed=Count("lab_instances", filter=live & Q(lab_instances__status=Status.FAILED)),
    )


def status_counts() -> dict[str, int]:
    from labs.models import LabInstance

    rows = (
        LabInstance.objects.filter(deleted_at__isnull=True)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {choice.value: 0 for choice in Status}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts
