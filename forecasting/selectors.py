from __future__ import annotations

import datetime as dt

from django.db.models import Q

from forecasting.models import Session
from labs.models import Cluster, Lab


def session_running(*, lab: Lab, now: dt.datetime, cluster: Cluster | None = None) -> bool:
    """Whether attendees are in `lab` at `now`: a session of the lab covers that moment, on
    `cluster` or on every cluster. Without a cluster, a session on any cluster counts."""
    sessions = Session.objects.filter(lab=lab, starts_at__lte=now, ends_at__gt=now)
    if cluster is not None:
        sessions = sessions.filter(Q(cluster__isnull=True) | Q(cluster=cluster))
    return sessions.exists()
