"""A cluster answering well-formed JSON that is not a Kubernetes List is marked with a clear
`malformed` fault, and the next cluster is scanned as usual."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from labs.models import Cluster
from scanning.models import ScanRun
from scanning.services import scan_run_execute
from scanning.tests.fixtures_scan import cluster_row, lab_pod, namespace_obj
from scanning.tests.loopback import Recorder, port_of, serve
from simulator import Store

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

NOT_LISTS = [
    {"items": ["a string", 1]},
    {"items": [{"metadata": "not a mapping"}]},
    {"items": [{"kind": "Pod"}]},
    {"items": [], "metadata": "not a mapping"},
    {"items": {"a": 1}},
    [1, 2, 3],
    "just a string",
    {"kind": "Status", "status": "Success"},
]


@pytest.fixture
def odd_cluster(request: Any, tmp_path: Path) -> Any:
    answer = (200, {"Content-Type": "application/json"}, orjson.dumps(request.param))
    recorder = Recorder(default=answer)
    recorder.answers["/version"] = (200, {}, b'{"major": "1", "minor": "31"}')
    server = serve(recorder)
    token = tmp_path / "odd.token"
    token.write_text("t0k3n")
    yield Cluster.objects.create(
        name="odd",
        api_url=f"http://127.0.0.1:{port_of(server)}",
        token_file=str(token),
        insecure_lab=True,
    )
    server.shutdown()


@pytest.mark.parametrize("odd_cluster", NOT_LISTS, indirect=True)
@pytest.mark.parametrize("tier", [1, 3])
def test_it_marks_a_cluster_answering_json_that_is_not_a_list(
    odd_cluster: Cluster, tier: int, simulator_server: Any
) -> None:
    store = Store("good")
    store.load([namespace_obj("sandbox-g1-demo"), lab_pod("sandbox-g1-demo", "app-0")])
    good = cluster_row(simulator_server(stores={"good": store}), "good")

    runs = [scan_run_execute(cluster=cluster, tier=tier) for cluster in (odd_cluster, good)]

    assert (runs[0].status, runs[0].error_kind) == (ScanRun.Status.FAILED, "malformed")
    assert "not a" in runs[0].errors[0]
    odd_cluster.refresh_from_db()
    assert not odd_cluster.reachable and "malformed" in odd_cluster.last_error
    assert runs[1].status == ScanRun.Status.SUCCEEDED, runs[1].errors
