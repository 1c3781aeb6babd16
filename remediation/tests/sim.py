"""A simulated fleet with one failure kind, its Cluster row and lab instances."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from labs.models import Cluster, Lab, LabInstance
from rubrics_app.services import lab_instance_evaluate
from scanning.assemble import lab_evidence_read
from simulator.generator import Fleet, FleetSpec, generate_fleet
from simulator.registry import control_file_write, simulator_dir


@dataclass
class SimLab:
    fleet: Fleet
    sim: Any
    cluster: Cluster
    instances: list[LabInstance]

    def evidence(self, instance: LabInstance) -> dict[str, Any]:
        """The lab's evidence as a scan assembles it (showroom probed), not stored."""
        return dict(lab_evidence_read(lab_instance=instance))

    def evaluation(self, instance: LabInstance) -> Any:
        """Re-read and re-evaluate through the rubric service (records the lab's status)."""
        evidence = lab_evidence_read(lab_instance=instance)
        now = timezone.now()
        return lab_instance_evaluate(lab_instance=instance, evidence=evidence, now=now).result

    def store(self) -> Any:
        return self.sim.store(self.cluster.name)


def sim_lab(simulator_server, failure: str, mode: str, namespaces: int = 1) -> SimLab:  # type: ignore[no-untyped-def]
    spec = FleetSpec(
        clusters=1, namespaces=namespaces, failure_rate=1.0, failure_weights={failure: 1.0}
    )
    fleet = generate_fleet(spec)
    # With its showroom pages served and probed, as the scan probes them (settings.DATA_DIR is
    # the test's own: see conftest).
    sim = simulator_server(fleet=fleet, anarchy_delay=0.3)
    control_file_write(sim=sim, directory=simulator_dir())
    name = fleet.clusters[0]
    cluster = Cluster.objects.create(
        name=name,
        api_url=sim.url(name),
        kubeconfig_path=str(sim.kubeconfig_path(name)),
        labels={"purpose": "sim", "simulated": "true"},
        simulated=True,
        insecure_lab=True,
    )
    instances = []
    for record in fleet.labs:
        lab, _ = Lab.objects.get_or_create(
            catalog_item=record.catalog_item, defaults={"execution_mode": mode}
        )
        instances.append(
            LabInstance.objects.create(
                cluster=cluster, namespace=record.namespace, guid=record.guid, lab=lab
            )
        )
    return SimLab(fleet, sim, cluster, instances)


def verify_until_done(request: Any, max_checks: int = 60) -> Any:
    """Run the follow-up verification checks the q2 scheduler would run, on the real clock
    (the simulator moves in real time), until the outcome is recorded."""
    import time

    from django.utils import timezone

    from remediation.verification import action_verify

    for _ in range(max_checks):
        request.refresh_from_db()
        if request.verify_next_at is None:
            return request
        time.sleep(max((request.verify_next_at - timezone.now()).total_seconds(), 0.0))
        action_verify(action_request_id=request.pk)
    raise AssertionError(f"request {request.pk} still verifying after {max_checks} checks")
