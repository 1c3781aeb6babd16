"""Read queries for scan runs."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from scanning.models import ScanRun


def scan_runs_for(user: User) -> QuerySet[ScanRun]:
    """The scan runs `user` may see (the API reads through here), newest first: every one, for
    now; team scoping narrows it here."""
    return ScanRun.objects.select_related("cluster").order_by("-started_at", "-pk")
