"""AgnosticV catalog definitions (platform-contracts 12, 24.5), from a git checkout.

`git` runs as a child process with a fixed argument list (never a shell): a depth-1 clone into
`<data dir>/agnosticv` the first time, then `fetch` + `reset --hard FETCH_HEAD` of the configured
branch (the checkout is StarGate's own, read-only copy). A token goes to git through
`GIT_CONFIG_*` environment variables as an HTTP header for that one command: never in the URL,
the argument list or a log. Each stage file is merged with its layers (top `common.yaml`,
`<account>/account.yaml`, `<item>/common.yaml`, the files its `#include` lines name, then the
stage file) and parsed into a `CatalogDefinition` with its complexity score; then every live lab
is checked against its definition (`collectors.violations`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from collectors.complexity import complexity
from collectors.conf import SourceSettings
from collectors.http import SourceError, obj, seq
from collectors.models import CatalogDefinition
from collectors.runner import Collected, mask
from collectors.violations import violations_refresh

GIT = shutil.which("git") or "/usr/bin/git"
DIRECTORIES = (
    "summit-2026",
    "zt_rhel",
    "ansiblebu",
    "agd_v2",
    "ai-quickstarts",
    "openshift_cnv",
    "published",
    "rhdp",
    "sandboxes-gpte",
)
LAYER_FILES = ("common.yaml", "account.yaml")
MAX_INCLUDE_DEPTH = 5


class _Loader(yaml.SafeLoader):
    """YAML with `!vault` values loaded as an opaque marker (never the ciphertext)."""


_Loader.add_constructor("!vault", lambda loader, node: "<vault>")


def collect(source: SourceSettings, now: datetime) -> Collected:
    checkout = Path(source.option("checkout_dir") or Path(settings.DATA_DIR) / "agnosticv")
    commit = checkout_update(source, checkout)
    directories = source.option("directories") or DIRECTORIES
    if isinstance(directories, str):
        directories = [d.strip() for d in directories.split(",") if d.strip()]
    found = []
    for path in stage_files(checkout, list(directories)):
        try:
            merged = merged_definition(checkout, path)
        except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
            raise SourceError("parse", f"{path.relative_to(checkout)}: {exc}") from exc
        found.append(definition_fields(path.relative_to(checkout).as_posix(), merged))
    with transaction.atomic():
        for fields in found:
            CatalogDefinition.objects.update_or_create(
                path=fields.pop("path"), defaults={**fields, "commit": commit, "updated_at": now}
            )
        CatalogDefinition.objects.filter(updated_at__lt=now).delete()
    checked = violations_refresh(now)
    return Collected(
        items=len(found),
        summary={"commit": commit, "definitions": len(found), "constraints": checked},
    )


def _git(args: list[str], source: SourceSettings, cwd: Path | None = None) -> str:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(cwd or Path(settings.DATA_DIR)),
    }
    token = str(source.option("token"))
    if token:
        env |= {
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "http.extraHeader",
            "GIT_CONFIG_VALUE_0": f"Authorization: Bearer {token}",
        }
    try:
        done = subprocess.run(  # noqa: S603 (a fixed argument list, no shell)
            [GIT, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=source.timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SourceError("timeout", f"git {args[0]} timed out") from exc
    except OSError as exc:
        raise SourceError("config", f"git cannot run: {exc}") from exc
    if done.returncode != 0:
        error = mask(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed")
        kind = "auth" if "Authentication" in done.stderr or " 401" in done.stderr else "connection"
        raise SourceError(kind, f"git {args[0]}: {error}")
    return done.stdout.strip()


def checkout_update(source: SourceSettings, checkout: Path) -> str:
    """Clone (depth 1) or fetch the branch; the checked-out commit."""
    url, branch = str(source.option("url")), str(source.option("branch", "main"))
    if url.startswith("-") or branch.startswith("-"):
        raise SourceError("config", "a repository URL or branch may not start with '-'")
    if (checkout / ".git").is_dir():
        _git(["-C", str(checkout), "fetch", "--quiet", "--depth", "1", "origin", branch], source)
        _git(["-C", str(checkout), "reset", "--quiet", "--hard", "FETCH_HEAD"], source)
    else:
        checkout.parent.mkdir(parents=True, exist_ok=True)
        _git(
            [
                "clone",
                "--quiet",
                "--depth",
                "1",
                "--branch",
                branch,
                "--single-branch",
                "--",
                url,
                str(checkout),
            ],
            source,
        )
    return _git(["-C", str(checkout), "rev-parse", "HEAD"], source)


def stage_files(checkout: Path, directories: list[str]) -> list[Path]:
    """`<dir>/<item>/<stage>.yaml`: every YAML file of an item but its `common.yaml`."""
    found = []
    for directory in directories:
        root = checkout / directory
        if not root.is_dir():
            continue
        for item in sorted(p for p in root.iterdir() if p.is_dir()):
            found += sorted(
                p for p in item.glob("*.yaml") if p.name not in LAYER_FILES and p.is_file()
            )
    return found


def _load(path: Path) -> dict[str, Any]:
    loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 (SafeLoader)
    return loaded if isinstance(loaded, dict) else {}


def _includes(checkout: Path, path: Path, depth: int = 0) -> list[Path]:
    """The files `path`'s `#include` lines name (their own includes first), inside the checkout."""
    if depth > MAX_INCLUDE_DEPTH or not path.is_file():
        return []
    found: list[Path] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#include "):
            continue
        target = line.removeprefix("#include ").strip()
        included = (
            (checkout / target.lstrip("/")) if target.startswith("/") else path.parent / target
        )
        included = included.resolve()
        if not included.is_relative_to(checkout.resolve()) or not included.is_file():
            continue
        found += [*_includes(checkout, included, depth + 1), included]
    return found


def merged_definition(checkout: Path, stage: Path) -> dict[str, Any]:
    item_dir = stage.parent
    layers = [checkout / "common.yaml", item_dir.parent / "account.yaml", item_dir / "common.yaml"]
    included = [p for layer in [*layers, stage] for p in _includes(checkout, layer)]
    merged: dict[str, Any] = {}
    seen: set[Path] = set()
    for path in [*layers, *included, stage]:
        resolved = path.resolve()
        if resolved in seen or not path.is_file():
            continue
        seen.add(resolved)
        merged = merge(merged, _load(path))
    return merged


def merge(base: dict[str, Any], top: dict[str, Any], inside_meta: bool = False) -> dict[str, Any]:
    """Later wins; inside `__meta__` dictionaries merge and lists append."""
    out = dict(base)
    for key, value in top.items():
        meta = inside_meta or key == "__meta__"
        old = out.get(key)
        if meta and isinstance(old, dict) and isinstance(value, dict):
            out[key] = merge(old, value, True)
        elif inside_meta and isinstance(old, list) and isinstance(value, list):
            out[key] = old + value
        else:
            out[key] = value
    return out


def definition_fields(path: str, data: dict[str, Any]) -> dict[str, Any]:
    parts = path.split("/")
    account, item, stage = parts[0], parts[1], parts[-1].removesuffix(".yaml")
    meta = obj(data.get("__meta__"))
    workloads = [str(w) for w in seq(data.get("workloads"))]
    collections = [
        {"name": str(c["name"]), "version": str(c["version"]), "type": str(c.get("type", "galaxy"))}
        for c in seq(obj(data.get("requirements_content")).get("collections"))
        if isinstance(c, dict) and c.get("name") and c.get("version")
    ]
    channels = {
        key.removeprefix("ocp4_workload_").removesuffix("_channel"): value
        for key, value in data.items()
        if key.endswith("_channel") and isinstance(value, str) and not value.startswith("{{")
    }
    components = [
        {k: str(c.get(k, "")) for k in ("name", "display_name", "item")}
        for c in seq(meta.get("components"))
        if isinstance(c, dict)
    ]
    deployer = obj(meta.get("deployer"))
    timeout = _int(obj(meta.get("tower")).get("timeout")) or 3600
    fields: dict[str, Any] = {
        "path": path,
        "account": account[:100],
        "item": item[:200],
        "stage": stage[:40],
        "catalog_item": f"{account.replace('_', '-')}.{item}.{stage}"[:253],
        "display_name": str(obj(meta.get("catalog")).get("display_name") or "")[:253],
        "asset_uuid": str(meta.get("asset_uuid") or "")[:63],
        "workloads": workloads,
        "workload_count": len(workloads),
        "collections": collections,
        "worker_instance_count": _int(data.get("worker_instance_count")),
        "ai_workers_cores": _int(data.get("ai_workers_cores")),
        "ai_workers_memory": str(data.get("ai_workers_memory") or "")[:40],
        "cloud_provider": str(data.get("cloud_provider") or "")[:63],
        "config": str(data.get("config") or "")[:100],
        "ocp_version": str(data.get("ocp4_installer_version") or "")[:40],
        "timeout_seconds": timeout,
        "components": components,
        "operator_channels": channels,
        "showroom_repo": str(data.get("ocp4_workload_showroom_content_git_repo") or "")[:400],
        "showroom_ref": str(data.get("ocp4_workload_showroom_content_git_repo_ref") or "")[:200],
        "deployer": {
            "scm_url": str(deployer.get("scm_url") or ""),
            "scm_ref": str(deployer.get("scm_ref") or ""),
            "image": str(obj(deployer.get("execution_environment")).get("image") or ""),
        },
        "keywords": [str(k) for k in seq(obj(meta.get("catalog")).get("keywords"))],
    }
    score = complexity(
        workloads=len(workloads),
        collections=len(collections),
        workers=fields["worker_instance_count"],
        ai_cores=fields["ai_workers_cores"],
        timeout_seconds=timeout,
        components=len(components),
        cloud=fields["cloud_provider"] or fields["config"],
    )
    fields.update(
        complexity_score=score["score"],
        complexity=score,
        estimated_provision_minutes=score["estimated_provision_minutes"],
        resource_weight=score["resource_weight"],
    )
    return fields


def _int(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
