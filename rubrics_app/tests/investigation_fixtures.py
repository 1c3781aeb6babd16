"""A failed lab for the investigation tests: stored evidence with a crash-looping pod whose log
the kubernetes simulator serves, a warning event, state changes and a healthy sibling."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission, User
from kubernetes.client import CoreV1Api

from labs.models import Cluster, Lab, LabInstance, Status
from labs.tests.factories import platform_operator
from scanning.client import api_client_for
from scanning.tests.fixtures_scan import namespace_obj
from simulator import Store
from simulator.api import LOG_ANNOTATION, PREVIOUS_LOG_ANNOTATION

from .classification_fixtures import SECRET, scan, unexplained

NAMESPACE = "sandbox-abc-lab"


def log_cluster(simulator_server: Any, log: str, name: str = "logs") -> Cluster:
    """A simulated cluster whose pod `web-1` logs `log` (current and previous container)."""
    store = Store(name)
    store.load([namespace_obj(NAMESPACE)])
    annotations = {LOG_ANNOTATION: log, PREVIOUS_LOG_ANNOTATION: log}
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web-1", "namespace": NAMESPACE, "annotations": annotations},
        "spec": {"containers": [{"name": "c", "image": "quay.io/x/app:1"}]},
        "status": {"phase": "Failed"},
    }
    store.load([pod])
    sim = simulator_server(stores={name: store})
    return Cluster.objects.create(
        name=name,
        api_url=sim.url(name),
        kubeconfig_path=str(sim.kubeconfig_path(name)),
        simulated=True,
        insecure_lab=True,
    )


def unreachable_cluster() -> Cluster:
    """A cluster nothing answers for (a closed loopback port)."""
    return Cluster.objects.create(
        name="gone", api_url="https://127.0.0.1:9", simulated=True, insecure_lab=True
    )


def crashed() -> Any:
    ev = unexplained(message=f"vault login failed: password={SECRET}")
    status = ev["objects"]["pods"][0]["status"]["containerStatuses"][0]
    status.update(restartCount=4, ready=False)
    ev["objects"]["pods"][0]["spec"] = {
        "nodeName": "worker-2",
        "containers": [
            {"name": "c", "image": "quay.io/x/app:2", "envNames": ["DB_HOST", "DEBUG_TOKEN"]}
        ],
    }
    ev["objects"]["events"] = [
        {
            "type": "Warning",
            "reason": "BackOff",
            "message": f"Authorization: Bearer {SECRET}x1",
            "involvedObject": {"kind": "Pod", "name": "web-1"},
        }
    ]
    return ev


def failed_lab(cluster: Cluster) -> LabInstance:
    """A failed lab on `cluster` with stored evidence, and a healthy sibling on the same
    cluster (another image tag, another env var)."""
    item = Lab.objects.create(catalog_item="ocp4-cluster")
    well = LabInstance.objects.create(cluster=cluster, namespace="sandbox-ok-lab", lab=item)
    healthy = unexplained(env=[{"name": "DB_HOST"}])
    healthy["objects"]["pods"][0]["spec"]["nodeName"] = "worker-1"
    scan(well, healthy)
    LabInstance.objects.filter(pk=well.pk).update(status=Status.READY)
    lab = LabInstance.objects.create(cluster=cluster, namespace=NAMESPACE, lab=item)
    scan(lab, crashed())
    lab.refresh_from_db()
    assert lab.status == Status.FAILED
    return lab


def investigator(username: str = "inv", *, operator: bool = True) -> User:
    user = User.objects.create_user(username, password="pw-for-tests-1")
    user.user_permissions.add(Permission.objects.get(codename="run_investigation"))
    if operator:
        platform_operator(user)
    return User.objects.get(pk=user.pk)


def namespace_and_pod_exist(cluster: Cluster) -> bool:
    api = CoreV1Api(api_client_for(cluster))
    with api.api_client:
        api.read_namespace(NAMESPACE)
        api.read_namespaced_pod("web-1", NAMESPACE)
    return True
