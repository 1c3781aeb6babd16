from __future__ import annotations

import threading
from typing import Any

import pytest

from labs.models import Cluster
from scanning.client import ClusterAccessError, api_client_for, list_pages
from scanning.tests.fixtures_scan import cluster_row, lab_pod, namespace_obj
from simulator import Store

pytestmark = pytest.mark.django_db

LABS = ["sandbox-aa1-demo", "sandbox-bb2-demo"]


def _readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("scan-read-ahead")]


@pytest.fixture
def cluster(simulator_server: Any) -> tuple[Any, Cluster]:
    store = Store("c1")
    store.load([namespace_obj(ns) for ns in LABS])
    store.load(lab_pod(ns, f"app-{i}") for ns in LABS for i in range(5))
    sim = simulator_server(stores={"c1": store})
    return sim, cluster_row(sim, "c1")


def _names(pages: list[list[dict[str, Any]]]) -> list[list[str]]:
    return [
        [p["metadata"]["namespace"] + "/" + p["metadata"]["name"] for p in page] for page in pages
    ]


def test_it_reads_the_same_pages_ahead_as_one_by_one(cluster: tuple[Any, Cluster]) -> None:
    _, row = cluster
    api = api_client_for(row)
    plain = list(list_pages(api, "/api/v1/pods", limit=3))
    ahead = list(list_pages(api, "/api/v1/pods", limit=3, read_ahead=True))
    assert len(plain) == 4
    assert _names(ahead) == _names(plain)
    assert not _readers()  # the reading thread ends with the list


def test_it_fetches_the_next_page_while_the_caller_holds_this_one(
    cluster: tuple[Any, Cluster],
) -> None:
    _, row = cluster
    pages = list_pages(api_client_for(row), "/api/v1/pods", limit=3, read_ahead=True)
    first = next(pages)
    assert len(first) == 3
    assert len(_readers()) == 1
    # Leaving the list early waits for the page in flight and ends the thread.
    pages.close()
    assert not _readers()


def test_a_fault_on_a_page_read_ahead_is_raised_at_that_page(
    cluster: tuple[Any, Cluster],
) -> None:
    sim, row = cluster
    sim.inject("c1", "unauthorized")
    with pytest.raises(ClusterAccessError) as raised:
        next(list_pages(api_client_for(row), "/api/v1/pods", limit=3, read_ahead=True))
    assert raised.value.kind == "unauthorized"
    assert not _readers()
