"""Kubeconfig files pointing kubectl and the kubernetes client at a simulated cluster."""

from __future__ import annotations

from pathlib import Path

import yaml


def kubeconfig(
    cluster: str, url: str, token: str, ca_path: Path | None = None
) -> dict[str, object]:
    server: dict[str, object] = {"server": url}
    if ca_path is not None:
        server["certificate-authority"] = str(ca_path)
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster, "cluster": server}],
        "users": [{"name": f"{cluster}-admin", "user": {"token": token}}],
        "contexts": [
            {"name": cluster, "context": {"cluster": cluster, "user": f"{cluster}-admin"}}
        ],
        "current-context": cluster,
    }


def write_kubeconfig(
    path: Path, cluster: str, url: str, token: str, ca_path: Path | None = None
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(kubeconfig(cluster, url, token, ca_path), sort_keys=False))
    path.chmod(0o600)
    return path
