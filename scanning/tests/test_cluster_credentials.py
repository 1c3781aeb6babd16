"""A Cluster row sends its token only over https (or http for an insecure lab cluster) and only
from a file under STARGATE_CREDENTIALS_DIR; a malformed kubeconfig or one running a command is a
clear error: refused by the admin form (`clean()`), and a `config` fault marking the cluster
unreachable at connect time. A recording server on loopback shows nothing was sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.exceptions import ValidationError

from labs.models import Cluster
from scanning.models import ScanRun
from scanning.services import scan_run_execute
from scanning.tests.loopback import Recorder, port_of, serve

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def creds(settings: Any, tmp_path: Path) -> Path:
    settings.CREDENTIALS_DIR = tmp_path / "creds"
    settings.CREDENTIALS_DIR.mkdir()
    return Path(settings.CREDENTIALS_DIR)


@pytest.fixture
def listener() -> Iterator[tuple[Recorder, str]]:
    recorder = Recorder(default=(200, {}, b'{"major": "1", "minor": "31"}'))
    server = serve(recorder)
    yield recorder, f"127.0.0.1:{port_of(server)}"
    server.shutdown()


def token_at(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("s3cr3t-token\n")
    return path


def kubeconfig_at(path: Path, document: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document))
    return path


def kubeconfig(server: str, **user: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": server}}],
        "users": [{"name": "u", "user": user or {"token": "s3cr3t-token"}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "c",
    }


def errors_of(cluster: Cluster) -> dict[str, list[str]]:
    try:
        cluster.full_clean()
    except ValidationError as exc:
        return exc.message_dict
    return {}


def assert_config_fault(cluster: Cluster, recorder: Recorder, words: str) -> None:
    cluster.save()
    run = scan_run_execute(cluster=cluster, tier=1)
    assert (run.status, run.error_kind) == (ScanRun.Status.FAILED, "config"), run.errors
    assert words in run.errors[0]
    cluster.refresh_from_db()
    assert not cluster.reachable and words in cluster.last_error
    assert recorder.seen == []


def test_it_refuses_a_token_file_outside_the_credentials_directory(
    creds: Path, tmp_path: Path, listener: tuple[Recorder, str]
) -> None:
    recorder, address = listener
    token = token_at(tmp_path / "elsewhere" / "token")
    cluster = Cluster(
        name="c1", api_url=f"http://{address}", token_file=str(token), insecure_lab=True
    )
    assert "not under the credentials directory" in errors_of(cluster)["token_file"][0]
    assert_config_fault(cluster, recorder, "not under the credentials directory")


def test_it_refuses_a_link_leading_out_of_the_credentials_directory(
    creds: Path, tmp_path: Path
) -> None:
    (creds / "token").symlink_to(token_at(tmp_path / "elsewhere" / "token"))
    cluster = Cluster(name="c1", api_url="https://api.example.com:6443", token_file="token")
    assert "token_file" in errors_of(cluster)


def test_it_accepts_a_token_file_inside_the_credentials_directory(creds: Path) -> None:
    token_at(creds / "east" / "token")
    cluster = Cluster(name="c1", api_url="https://api.example.com:6443", token_file="east/token")
    assert errors_of(cluster) == {}


def test_it_sends_a_token_over_plain_http_only_to_an_insecure_lab_cluster(
    creds: Path, listener: tuple[Recorder, str]
) -> None:
    recorder, address = listener
    token = token_at(creds / "token")
    cluster = Cluster(name="c1", api_url=f"http://{address}", token_file=str(token))
    assert "must use https" in errors_of(cluster)["api_url"][0]
    assert_config_fault(cluster, recorder, "must use https")

    cluster.insecure_lab = True
    assert errors_of(cluster) == {}
    run = scan_run_execute(cluster=cluster, tier=1, force=True)
    assert run.error_kind != "config"
    assert recorder.seen[0][1] == "/version"


@pytest.mark.parametrize(
    "document",
    [
        ["not", "a", "mapping"],
        {"clusters": [{"name": "c", "cluster": {"server": "https://x"}}], "users": ["u"]},
        {"clusters": "nope"},
    ],
)
def test_it_reports_a_malformed_kubeconfig_and_marks_the_cluster_unreachable(
    creds: Path, listener: tuple[Recorder, str], document: Any
) -> None:
    recorder, _ = listener
    path = kubeconfig_at(creds / "bad.kubeconfig", document)
    cluster = Cluster(name="c1", api_url="https://api.example.com:6443", kubeconfig_path=str(path))
    assert "kubeconfig_path" in errors_of(cluster)
    assert_config_fault(cluster, recorder, "kubeconfig")


def test_it_refuses_a_kubeconfig_outside_the_directory_or_with_an_http_server(
    creds: Path, tmp_path: Path, listener: tuple[Recorder, str]
) -> None:
    recorder, address = listener
    outside = kubeconfig_at(tmp_path / "k", kubeconfig(f"https://{address}"))
    cluster = Cluster(name="c1", api_url=f"https://{address}", kubeconfig_path=str(outside))
    assert "not under" in errors_of(cluster)["kubeconfig_path"][0]
    plain = kubeconfig_at(creds / "k", kubeconfig(f"http://{address}"))
    cluster.kubeconfig_path = str(plain)
    assert "must use https" in errors_of(cluster)["kubeconfig_path"][0]
    assert_config_fault(cluster, recorder, "must use https")


@pytest.mark.parametrize(
    "user",
    [
        {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "/bin/sh"}},
        {"auth-provider": {"name": "gcp", "config": {"cmd-path": "/bin/sh"}}},
    ],
)
def test_it_refuses_credential_plugins_unless_allowed(
    creds: Path, settings: Any, listener: tuple[Recorder, str], user: dict[str, Any]
) -> None:
    recorder, address = listener
    marker = creds / "plugin-ran"
    if "exec" in user:
        user["exec"]["args"] = ["-c", f"touch {marker}"]
    path = kubeconfig_at(creds / "plugin.kubeconfig", kubeconfig(f"https://{address}", **user))
    cluster = Cluster(name="c1", api_url=f"https://{address}", kubeconfig_path=str(path))
    assert "run a command are refused" in errors_of(cluster)["kubeconfig_path"][0]
    assert_config_fault(cluster, recorder, "run a command are refused")
    assert not marker.exists()

    settings.KUBECONFIG_EXEC_ALLOWED = True
    assert errors_of(cluster) == {}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("application_domains", "apps.example.com, not a domain!"),
        ("application_domains", "127.0.0.1"),
        ("probe_private_networks", "127.0.0.0/8"),
        ("probe_private_networks", "8.8.8.0/24"),
        ("probe_private_networks", "10.0.0.0/33"),
    ],
)
def test_it_refuses_a_probe_scope_it_cannot_enforce(creds: Path, field: str, value: str) -> None:
    cluster = Cluster(name="c1", api_url="https://api.example.com:6443", **{field: value})
    assert field in errors_of(cluster)
