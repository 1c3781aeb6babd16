"""What a lab namespace asks of its cluster: the sum of the resource requests of its running
pods' containers (a VM's virt-launcher pod carries the VM's requests), from the trimmed
evidence (pure). The observed footprint of a catalog item (forecasting) is the median of its
running labs' figures."""

from __future__ import annotations

from scanning.nodes import quantity
from stargate.lib.evidence import NamespaceEvidence

DONE_PHASES = ("Succeeded", "Failed")


def requested(evidence: NamespaceEvidence) -> tuple[int | None, int | None]:
    """(CPU millicores, memory bytes) requested by the namespace's running pods; (None, None)
    without a running pod or without any request."""
    cpu = memory = 0
    counted = False
    for pod in (evidence.get("objects") or {}).get("pods") or []:
        if (pod.get("status") or {}).get("phase") in DONE_PHASES:
            continue
        if (pod.get("metadata") or {}).get("deletionTimestamp"):
            continue
        for container in (pod.get("spec") or {}).get("containers") or []:
            wanted = (container.get("resources") or {}).get("requests") or {}
            if "cpu" in wanted or "memory" in wanted:
                counted = True
            cpu += quantity(wanted.get("cpu"), 1000)
            memory += quantity(wanted.get("memory"))
    return (cpu, memory) if counted else (None, None)
