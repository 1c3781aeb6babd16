"""Re-check one lab after an action: a one-namespace scan, through the scan's own path.

`scanning.services.namespaces_rescan` reads the namespace, assembles its full evidence (cluster
health, lab context, showroom probe: `scanning.assemble`), evaluates and stores it, and marks
the cluster as any scan does. The verdict is the one the dashboard then shows: a recovered lab
shows READY everywhere without waiting for the next scheduled scan, and a lab whose showroom
stays down stays FAILED, whatever the action touched.
"""

from __future__ import annotations

from dataclasses import dataclass

from labs.models import LabInstance
from scanning.models import ScanRun
from scanning.services import namespaces_rescan

RECOVERED = frozenset({"ready", "warn"})


@dataclass(frozen=True)
class Recheck:
    """Whether the lab recovered, and why not (its verdict, or the cluster's fault)."""

    recovered: bool
    reason: str


def lab_recheck(lab_instance: LabInstance) -> Recheck:
    """Re-scan the lab's namespace now and read the verdict the scan recorded."""
    run = namespaces_rescan(cluster=lab_instance.cluster, namespaces=[lab_instance.namespace])
    if run.status != ScanRun.Status.SUCCEEDED:
        errors = "; ".join(run.errors) or str(run.status)
        return Recheck(False, f"the cluster is unreachable: {errors}")
    if not run.namespaces_evaluated:
        return Recheck(False, "the lab could not be evaluated")
    lab_instance.refresh_from_db(fields=["status", "failure_class"])
    status = str(lab_instance.status)
    failure = f" ({lab_instance.failure_class})" if lab_instance.failure_class else ""
    return Recheck(status in RECOVERED, f"the lab is {status}{failure}")
