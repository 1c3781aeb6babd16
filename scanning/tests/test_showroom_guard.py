"""Showroom probes go only to the cluster's own application hosts (no SSRF): loopback, link-local
and metadata addresses never, private ones only where listed, re-resolution to loopback refused,
redirects only within the same host. Real HTTP servers on this machine's addresses; only name
resolution is given by the test (the route hosts exist in no DNS)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from labs.models import Cluster
from rubrics_app.showroom_probe import showroom_probe_run
from scanning.models import ScanRun
from scanning.probe_guard import address_refusal
from scanning.services import scan_run_execute
from scanning.showroom import probe_client, showroom_probes
from scanning.tests.fixtures_scan import cluster_row, node
from scanning.tests.loopback import Recorder, own_private_address, port_of, serve
from simulator import Store
from stargate.lib.evidence import KubeObject

pytestmark = pytest.mark.smoke

DOMAIN = "apps.ocp-east-1.example.com"
HOST = f"showroom-sandbox-a1-demo.{DOMAIN}"
INGRESS = {
    "apiVersion": "config.openshift.io/v1",
    "kind": "Ingress",
    "metadata": {"name": "cluster"},
    "spec": {"domain": DOMAIN},
}


def route(host: str) -> list[KubeObject]:
    return [{"metadata": {"name": "showroom"}, "spec": {"host": host}}]


def production(**fields: str) -> Cluster:
    return Cluster(name="ocp-east-1", api_url="https://api.example.com:6443", **fields)


def resolver(answers: dict[str, list[str]]) -> Callable[[str, int], list[str]]:
    return lambda host, port: answers[host]


@pytest.fixture
def internal() -> Iterator[Recorder]:
    """An internal service on loopback an attendee would like the scanner to read."""
    recorder = Recorder()
    server = serve(recorder)
    recorder.answers["/port"] = (200, {}, str(port_of(server)).encode())
    yield recorder
    server.shutdown()


@pytest.fixture
def private_address() -> str:
    address = own_private_address()
    if address is None:
        pytest.skip("this machine has no private, non-loopback address")
    return address


@pytest.fixture
def showroom_and_internal(private_address: str) -> Iterator[tuple[Recorder, Recorder, int]]:
    """A showroom on this machine's private address and an internal service on loopback, on
    the same port (so a re-resolution to loopback would reach the internal one)."""
    showroom, internal = Recorder(), Recorder()
    for _ in range(20):
        public_server = serve(showroom, private_address)
        try:
            internal_server = serve(internal, "127.0.0.1", port_of(public_server))
        except OSError:
            public_server.shutdown()
            continue
        break
    yield showroom, internal, port_of(public_server)
    public_server.shutdown()
    internal_server.shutdown()


def internal_port(recorder: Recorder) -> int:
    return int(recorder.answers["/port"][2])


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}"])
def test_it_refuses_a_loopback_route_host(internal: Recorder, host: str) -> None:
    routes = {"sandbox-a1-demo": route(host.format(port=internal_port(internal)))}
    probes = showroom_probes(
        cluster=production(application_domains=DOMAIN), routes=routes, failures={}
    )
    probe = probes["sandbox-a1-demo"]
    assert "probe refused" in probe["error"] and probe["consecutive_failures"] == 1
    assert internal.seen == []


def test_it_refuses_an_allowed_name_that_resolves_to_loopback(internal: Recorder) -> None:
    url = f"http://{HOST}:{internal_port(internal)}"
    cluster = production(application_domains=DOMAIN)
    with probe_client(cluster, resolve=resolver({HOST: ["127.0.0.1"]})) as client:
        probe = showroom_probe_run(url, client=client)
    assert "resolves to 127.0.0.1" in probe["error"]
    assert internal.seen == []


def test_it_refuses_a_private_address_unless_the_cluster_lists_it(
    showroom_and_internal: tuple[Recorder, Recorder, int], private_address: str
) -> None:
    showroom, _, port = showroom_and_internal
    resolve = resolver({HOST: [private_address]})
    url = f"http://{HOST}:{port}"
    with probe_client(production(application_domains=DOMAIN), resolve=resolve) as client:
        refused = showroom_probe_run(url, client=client)
    assert "outside the cluster's probe networks" in refused["error"]
    assert showroom.seen == []

    listed = production(application_domains=DOMAIN, probe_private_networks=f"{private_address}/32")
    with probe_client(listed, resolve=resolve) as client:
        probe = showroom_probe_run(url, client=client)
    assert (probe["readyz_status"], probe["content_ok"]) == (200, True), probe
    assert showroom.seen == [(f"{HOST}:{port}", "/readyz"), (f"{HOST}:{port}", "/")]


def test_it_refuses_a_name_rebound_to_loopback_after_its_first_answer(
    showroom_and_internal: tuple[Recorder, Recorder, int], private_address: str
) -> None:
    showroom, internal, port = showroom_and_internal
    answers = iter([[private_address], ["127.0.0.1"], ["127.0.0.1"]])
    cluster = production(application_domains=DOMAIN, probe_private_networks=private_address)
    with probe_client(cluster, resolve=lambda host, port: next(answers)) as client:
        probe = showroom_probe_run(f"http://{HOST}:{port}", client=client)
    assert showroom.seen == [(f"{HOST}:{port}", "/readyz")]  # one connection per request
    assert internal.seen == []
    assert "resolves to 127.0.0.1" in probe["error"]


def test_it_follows_redirects_within_the_same_host_only(
    showroom_and_internal: tuple[Recorder, Recorder, int], private_address: str
) -> None:
    showroom, internal, port = showroom_and_internal
    other = f"admin.{DOMAIN}"
    showroom.answers["/"] = (302, {"Location": "/guide/"}, b"")
    showroom.answers["/readyz"] = (302, {"Location": f"http://{other}:{port}/internal"}, b"")
    resolve = resolver({HOST: [private_address], other: [private_address]})
    cluster = production(application_domains=DOMAIN, probe_private_networks=private_address)
    with probe_client(cluster, resolve=resolve) as client:
        probe = showroom_probe_run(f"http://{HOST}:{port}", client=client)
    assert "redirect to" in probe["error"] and "refused" in probe["error"]
    assert (f"{other}:{port}", "/internal") not in showroom.seen
    showroom.answers["/readyz"] = (200, {}, b"ok")
    with probe_client(cluster, resolve=resolve) as client:
        page = showroom_probe_run(f"http://{HOST}:{port}/", client=client)
    assert ("/guide/" in [path for _, path in showroom.seen]) and page["content_ok"]
    assert internal.seen == []


def test_it_never_follows_a_redirect_to_loopback_even_without_the_guard(
    internal: Recorder,
) -> None:
    import httpx

    port = internal_port(internal)
    redirector = Recorder(default=(302, {"Location": f"http://localhost:{port}/secret"}, b""))
    server = serve(redirector)
    try:
        with httpx.Client(timeout=2, follow_redirects=True) as client:
            probe = showroom_probe_run(f"http://127.0.0.1:{port_of(server)}", client=client)
    finally:
        server.shutdown()
    assert "refused" in probe["error"]
    assert internal.seen == []


@pytest.mark.parametrize(
    ("address", "listed", "refused"),
    [
        ("169.254.169.254", "", "metadata"),
        ("fd00:ec2::254", "fd00::/8", "metadata"),
        ("::ffff:127.0.0.1", "", "loopback"),
        ("169.254.1.1", "", "link-local"),
        ("0.0.0.0", "", "unspecified"),  # noqa: S104
        ("10.0.0.5", "", "outside"),
        ("10.0.0.5", "10.0.0.0/8", None),
        ("192.168.1.2", "10.0.0.0/8", "outside"),
        ("8.8.8.8", "", None),
    ],
)
def test_it_judges_each_address(address: str, listed: str, refused: str | None) -> None:
    scope = production(probe_private_networks=listed).probe_scope()
    why = address_refusal(address, scope)
    assert (why is None) if refused is None else (refused in str(why))


@pytest.mark.django_db
def test_it_learns_the_application_domain_from_the_cluster_ingress_config(
    simulator_server: Any,
) -> None:
    store = Store("c1")
    store.load([node("worker-0")])
    cluster = cluster_row(simulator_server(stores={"c1": store}), "c1")
    assert scan_run_execute(cluster=cluster, tier=1).status == ScanRun.Status.SUCCEEDED
    assert Cluster.objects.get(pk=cluster.pk).ingress_domain == ""  # not readable: nothing

    store.load([INGRESS])
    assert scan_run_execute(cluster=cluster, tier=1).status == ScanRun.Status.SUCCEEDED
    learned = Cluster.objects.get(pk=cluster.pk)
    assert learned.ingress_domain == DOMAIN
    assert learned.probe_scope().host_allowed(HOST)
    assert not learned.probe_scope().host_allowed("showroom.apps.other.example.com")
