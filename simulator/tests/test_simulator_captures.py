"""Captured cluster objects are served back exactly as captured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from kubernetes import client

from simulator.captures import captures_store, read_captures
from simulator.kinds import kind_for_object
from simulator.tests.conftest import SimulatorFactory


def _folders(root: Path) -> list[Path]:
    return sorted({path.parent for path in root.rglob("*.json")})


def _get(api_client: client.ApiClient, path: str) -> Any:
    response = api_client.call_api(
        path, "GET", auth_settings=["BearerToken"], _preload_content=False
    )
    return orjson.loads(response.data)


def _path(obj: dict[str, Any]) -> str:
    kind = kind_for_object(obj)
    assert kind is not None
    base = f"/apis/{kind.api_version}" if kind.group else "/api/v1"
    meta = obj["metadata"]
    scope = f"/namespaces/{meta['namespace']}" if kind.namespaced else ""
    return f"{base}{scope}/{kind.plural}/{meta['name']}"


def test_it_serves_every_captured_object_unchanged(
    captures: Path, simulator_server: SimulatorFactory
) -> None:
    folders = _folders(captures)
    stores = {f"c{i}": captures_store(folder) for i, folder in enumerate(folders)}
    sim = simulator_server(stores=stores)
    checked = 0

    for i, folder in enumerate(folders):
        api_client = sim.api_client(f"c{i}")
        # Redaction gave three aap2-prod0 pods one name; a name holds one object: the last.
        by_path = {_path(obj): obj for obj in read_captures(folder).objects}
        for path, obj in by_path.items():
            assert _get(api_client, path) == obj, f"{folder}: {path}"
            checked += 1

    assert checked == 350


def test_it_lists_each_captured_kind_as_captured(
    captures: Path, simulator_server: SimulatorFactory
) -> None:
    folder = captures / "live-infra01" / "babylon-sandbox-api"
    sim = simulator_server(stores={"c1": captures_store(folder)})
    captured = orjson.loads((folder / "pods.json").read_bytes())["items"]

    served = _get(sim.api_client(), "/api/v1/namespaces/babylon-sandbox-api/pods")["items"]

    assert sorted(served, key=lambda o: o["metadata"]["name"]) == sorted(
        captured, key=lambda o: o["metadata"]["name"]
    )


def test_it_skips_and_reports_probe_summaries(captures: Path) -> None:
    showroom = read_captures(captures / "showroom")

    assert showroom.objects == []
    assert sorted(p.name for p in showroom.skipped) == ["healthy.json", "unhealthy.json"]
