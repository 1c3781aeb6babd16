"""httpx clients for the service simulators, authenticated as each service expects."""

from __future__ import annotations

from typing import Any

import httpx

from simulator.platform_services import PlatformServices

# service -> a representative JSON path (paged where the service pages)
PATHS = {
    "labagator": "/room-sessions/?limit=5",
    "launchpad": "/catalog",
    "aap-event0": "/api/v2/jobs/?page_size=5",
    "demolition": "/integration/sessions",
    "sandbox_api": "/api/v1/placements",
    "zerotouch": "/catalogItems",
    "cluster_scheduler": "/evaluate?cluster=sim-01",
    "prometheus-sim-01": "/api/v2/alerts",
}


def sandbox_access_token(services: PlatformServices) -> str:
    login = services.credentials("sandbox_api")["login_token"]
    answer = httpx.get(
        f"{services.url('sandbox_api')}/api/v1/login",
        headers={"Authorization": f"Bearer {login}"},
        timeout=5,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def client(services: PlatformServices, name: str, timeout: float = 5.0) -> httpx.Client:
    """A client with the right credentials for `name`."""
    creds = services.credentials(name)
    options: dict[str, Any] = {"base_url": services.url(name), "timeout": timeout}
    if name == "launchpad":
        options["headers"] = {"X-API-Key": creds["api_key"]}
    elif name.startswith("aap-"):
        options["auth"] = (creds["user"], creds["password"])
    elif name == "sandbox_api":
        options["headers"] = {"Authorization": f"Bearer {sandbox_access_token(services)}"}
    elif "token" in creds:
        options["headers"] = {"Authorization": f"Bearer {creds['token']}"}
    return httpx.Client(**options)


def wrong_client(services: PlatformServices, name: str) -> httpx.Client:
    """A client with a wrong credential of the right scheme."""
    base = services.url(name)
    if name == "launchpad":
        return httpx.Client(base_url=base, headers={"X-API-Key": "wrong"}, timeout=5)
    if name.startswith("aap-"):
        return httpx.Client(base_url=base, auth=("monitor", "wrong"), timeout=5)
    return httpx.Client(base_url=base, headers={"Authorization": "Bearer wrong"}, timeout=5)
