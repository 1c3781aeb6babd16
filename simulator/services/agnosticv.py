"""A local AgnosticV repository (spec 12) of the fleet's catalog items, made with `git` run with a
fixed argument list (never a shell). Clients clone it through its `file://` URL.

Layout: top `common.yaml`, `<account>/account.yaml`, `<account>/<item>/common.yaml` (with
`#include` lines and `!vault` values), `prod.yaml` and `event.yaml` stage files, shared includes
under `includes/`, and `summit-2026/<item>/common.yaml` for the event (including the item)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from simulator import catalog

GIT = "git"
FIXED_DATE = "2026-01-15T09:00:00+00:00"
VAULT = (
    "!vault |\n  $ANSIBLE_VAULT;1.1;AES256\n"
    "  3361623862353364613532316537376235356666393830396462613133643532\n"
)

TOP = """---
# shared by every catalog item
__meta__:
  deployer:
    scm_url: https://github.com/redhat-cop/agnosticd.git
    scm_ref: development
    execution_environment:
      image: quay.io/agnosticd/ee-multicloud:v0.1.5
  tower:
    timeout: 3600
"""

SHOWROOM_INCLUDE = """---
ocp4_workload_showroom_content_git_repo: https://github.com/rhpds/showroom-{item}.git
ocp4_workload_showroom_content_git_repo_ref: main
"""

FLAVOURS = {
    "vm": {
        "workers": 3,
        "ai_cores": 0,
        "timeout": 7200,
        "workloads": [
            "ocp4_workload_openshift_virtualization",
            "ocp4_workload_showroom",
            "ocp4_workload_authentication",
        ],
    },
    "model": {
        "workers": 2,
        "ai_cores": 48,
        "timeout": 5400,
        "workloads": [
            "ocp4_workload_rhoai",
            "ocp4_workload_nvidia_gpu_operator",
            "ocp4_workload_showroom",
            "ocp4_workload_authentication",
            "ocp4_workload_minio",
        ],
    },
    "app": {
        "workers": 0,
        "ai_cores": 0,
        "timeout": 2400,
        "workloads": ["ocp4_workload_showroom", "ocp4_workload_gitops"],
    },
}


def item_common(item: str) -> str:
    flavour = catalog.CATALOG[item]
    spec = FLAVOURS[flavour]
    workloads = "\n".join(f"  - {w}" for w in spec["workloads"])  # type: ignore[attr-defined]
    cloud = catalog.cloud_provider(item)
    ai = (
        f"ai_workers_cores: {spec['ai_cores']}\nai_workers_memory: 256Gi\n"
        if spec["ai_cores"]
        else ""
    )
    return f"""#include /includes/showroom-{item}.yaml
#include ../account-secrets.yaml
---
cloud_provider: {cloud}
config: {"openshift-workloads" if cloud == "none" else "openshift-cluster"}
ocp4_installer_version: "4.18"
worker_instance_count: {spec["workers"]}
{ai}workloads:
{workloads}
ocp4_workload_openshift_virtualization_channel: stable
ocp4_workload_gitops_channel: gitops-1.15
ocp4_workload_rhoai_channel: "{{{{ rhoai_channel | default('fast') }}}}"
requirements_content:
  collections:
  - name: kubernetes.core
    version: 5.0.0
  - name: ansible.posix
    version: 1.6.2
  - name: community.general
  - name: https://github.com/rhpds/showroom-collection.git
    type: git
    version: v1.3.0
admin_password: {VAULT}
__meta__:
  asset_uuid: {_asset_uuid(item)}
  owners:
    maintainer:
    - name: Sim Ops
      email: sim-ops@example.com
  catalog:
    display_name: {catalog.display_name(item)}
    keywords:
    - {catalog.EVENT}
    - {flavour}
  tower:
    timeout: {spec["timeout"]}
  components:
  - name: cluster
    display_name: Shared cluster
    item: {catalog.account_dir(item)}/shared-cluster
"""


def _asset_uuid(item: str) -> str:
    number = sum(ord(c) for c in item)
    return f"5f0c1a2e-0000-4000-8000-{number:012d}"


def files() -> dict[str, str]:
    """Path -> text of every file in the repository."""
    out = {"common.yaml": TOP}
    for item in catalog.items():
        account = catalog.account_dir(item)
        out[f"{account}/account.yaml"] = (
            f"---\n__meta__:\n  catalog:\n    namespace: babylon-catalog-{{{{ stage }}}}\n"
            f"  secrets:\n  - name: {account}-secrets\n    namespace: agnosticv-secrets\n"
        )
        out[f"{account}/account-secrets.yaml"] = f"---\naws_secret_access_key: {VAULT}"
        out[f"includes/showroom-{item}.yaml"] = SHOWROOM_INCLUDE.format(item=item)
        out[f"{account}/{item}/common.yaml"] = item_common(item)
        out[f"{account}/{item}/prod.yaml"] = (
            f"---\n__meta__:\n  deployer:\n    scm_ref: {item}-prod-1.4.2\npurpose: production\n"
        )
        out[f"{account}/{item}/dev.yaml"] = "---\npurpose: development\n"
        out[f"{catalog.EVENT}/{item}/common.yaml"] = (
            f"#include /{account}/{item}/common.yaml\n---\n__meta__:\n  catalog:\n"
            f"    labels:\n      lab_code: {catalog.lab_code(item)}\n"
        )
        out[f"{catalog.EVENT}/{item}/event.yaml"] = "---\npurpose: event\n"
    return out


def _git(repo: Path, *args: str) -> str:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(repo),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Sim Ops",
        "GIT_AUTHOR_EMAIL": "sim-ops@example.com",
        "GIT_COMMITTER_NAME": "Sim Ops",
        "GIT_COMMITTER_EMAIL": "sim-ops@example.com",
        "GIT_AUTHOR_DATE": FIXED_DATE,
        "GIT_COMMITTER_DATE": FIXED_DATE,
    }
    # a fixed argument list, no shell
    done = subprocess.run(  # noqa: S603
        [GIT, "-C", str(repo), *args], check=True, env=env, capture_output=True, text=True
    )
    return done.stdout.strip()


def write_agnosticv(directory: Path) -> Path:
    """Create (or recreate) the repository in `directory`; the same files give the same commit."""
    directory.mkdir(parents=True, exist_ok=True)
    if not (directory / ".git").exists():
        _git(directory, "init", "--quiet", "--initial-branch=main")
    for path, text in files().items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    _git(directory, "add", "--all")
    if _git(directory, "status", "--porcelain"):  # nothing to commit on a restart
        _git(directory, "commit", "--quiet", "-m", "Simulated catalog items")
    return directory


def commit_file(repo: Path, path: str, text: str, message: str) -> str:
    """Change one file in a new commit (a catalog change for the collector to pull); its sha."""
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    _git(repo, "add", "--", path)
    _git(repo, "commit", "--quiet", "-m", message)
    return _git(repo, "rev-parse", "HEAD")
