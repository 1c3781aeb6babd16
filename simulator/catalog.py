"""The simulated platform's catalog: accounts, full catalog item names, lab codes, pool plans.

Every simulator (Kubernetes resources, Labagator, AAP, Demolition, AgnosticV, ...) names catalog
items through these functions, so a lab reads the same everywhere.
"""

from __future__ import annotations

import random

# catalog item (short name) -> lab flavour
CATALOG: dict[str, str] = {
    "ocp4-cluster": "vm",
    "rhel-virt-roadshow": "vm",
    "rhel-ai-workshop": "model",
    "ansible-aap25": "app",
    "openshift-gitops": "app",
    "devspaces-intro": "app",
}

EVENT = "summit-2026"  # the event prefix of the simulated event
STAGE = "prod"
# lab flavour -> (catalog account, AgnosticV directory, Labagator cloud, AgnosticV cloud_provider)
ACCOUNTS: dict[str, tuple[str, str, str, str]] = {
    "vm": ("openshift-cnv", "openshift_cnv", "CNV", "openshift_cnv"),
    "app": ("agd-v2", "agd_v2", "Tenant Namespace", "none"),
    "model": ("ai-quickstarts", "ai-quickstarts", "AWS", "ec2"),
}
CATALOG_NAMESPACE = "babylon-catalog-prod"
EXHAUSTED_ITEM = "ocp4-cluster"  # its pool on the first cluster has no handle left
LOW_ITEM = "rhel-virt-roadshow"  # its pool on the first cluster has one handle left


def items() -> list[str]:
    return list(CATALOG)


def account(item: str) -> str:
    return ACCOUNTS[CATALOG[item]][0]


def account_dir(item: str) -> str:
    return ACCOUNTS[CATALOG[item]][1]


def labagator_cloud(item: str) -> str:
    return ACCOUNTS[CATALOG[item]][2]


def cloud_provider(item: str) -> str:
    return ACCOUNTS[CATALOG[item]][3]


def full_name(item: str, stage: str = STAGE) -> str:
    """`<account>.<short name>.<stage>`: the claim label, the governor, the provider name."""
    return f"{account(item)}.{item}.{stage}"


def agnosticv_path(item: str, stage: str = STAGE) -> str:
    return f"{account_dir(item)}/{item}/{stage}.yaml"


def lab_code(item: str) -> str:
    return f"LB{1201 + items().index(item)}"


def display_name(item: str) -> str:
    return item.replace("-", " ").title()


def pool_plan(seed: int, cluster_index: int, item: str) -> tuple[int, int]:
    """(minAvailable, available handles) of the item's pool on a cluster (1-based index)."""
    if cluster_index == 1 and item == EXHAUSTED_ITEM:
        return 3, 0
    if cluster_index == 1 and item == LOW_ITEM:
        return 3, 1
    rng = random.Random(f"{seed}:{cluster_index}:{item}:pool")
    return 2, rng.randint(2, 4)
