"""Babylon and Poolboy objects of a generated fleet: catalog items, claims and their handles,
pool status, workshops, a stuck teardown and the Sandbox API deployment (spec sections 4, 10)."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from simulator import catalog
from simulator.catalog import CATALOG_NAMESPACE, full_name
from simulator.context import BuildContext, Obj
from simulator.controllers import POOL_LABEL, resource_handle
from simulator.platform import (
    ANARCHY,
    CLAIM_NAMESPACE,
    POOL_NAMESPACE,
    POOLBOY,
    resource_pool,
    tower_job,
)

BABYLON = "babylon.gpte.redhat.com/v1"
SANDBOX_API_NAMESPACE = "babylon-sandbox-api"
STUCK_TEARDOWN_HOURS = 3
CLAIM_PREFIX = "poolboy.gpte.redhat.com/resource-claim-"


def catalog_item(ctx: BuildContext, item: str) -> Obj:
    meta = ctx.meta(
        full_name(item),
        60 * 24 * 60,
        labels={
            "babylon.gpte.redhat.com/category": "Workshops",
            "babylon.gpte.redhat.com/stage": catalog.STAGE,
            "gpte.redhat.com/asset-uuid": ctx.uid(),
        },
    )
    meta["namespace"] = CATALOG_NAMESPACE
    return {
        "apiVersion": BABYLON,
        "kind": "CatalogItem",
        "metadata": meta,
        "spec": {
            "displayName": catalog.display_name(item),
            "description": {
                "content": f"<p>{catalog.display_name(item)}: a hands-on lab.</p>",
                "format": "html",
            },
            "provider": {"name": "babylon", "parameterValues": {}},
            "resources": [{"provider": {"name": full_name(item), "namespace": POOL_NAMESPACE}}],
            "lifespan": {"default": "4h", "maximum": "2d", "relativeMaximum": "1d"},
        },
    }


def pool_status(pool: Obj, handles: list[Obj]) -> None:
    """Fill `status` of a pool from its unclaimed handles."""
    pool["status"] = {
        "resourceHandleCount": {
            "available": len(handles),
            "ready": sum(1 for h in handles if h["status"]["ready"]),
        },
        "resourceHandles": [
            {"name": h["metadata"]["name"], "healthy": True, "ready": h["status"]["ready"]}
            for h in handles
        ],
    }


def unclaimed_handle(ctx: BuildContext, pool: Obj, ready: bool = True) -> Obj:
    handle = resource_handle(pool, f"guid-{ctx.suffix()}")
    handle["spec"]["provider"] = {"name": full_name(pool["metadata"]["name"])}
    handle["status"] = {"healthy": True, "ready": ready}
    return handle


def summary(item: str, guid: str, state: str) -> dict[str, Any]:
    return {
        "agnosticv": {
            "account": catalog.account_dir(item),
            "asset_uuid": f"00000000-0000-4000-8000-{int(guid, 36):012x}"[-36:],
            "path": catalog.agnosticv_path(item),
            "repo": "agnosticv",
            "short_name": item,
            "stage": catalog.STAGE,
        },
        "catalog_item_name": full_name(item),
        "catalog_item_namespace": CATALOG_NAMESPACE,
        "state": state,
        "runtime_default": "4h",
        "runtime_maximum": "8h",
        "provision_data": {
            "guid": guid,
            "cloud_provider": catalog.cloud_provider(item),
            "lab_ui_url": f"https://showroom-{guid}.apps.sim.example.com",
            "aws_secret_access_key": "SIMxFAKExSECRETxKEYxxxxxxxxxxxxxxxxxxxxxx",
            "ssh_password": "sim-not-a-password",
        },
    }


def lab_claim(ctx: BuildContext, item: str, guid: str, subject: Obj) -> list[Obj]:
    """The ResourceClaim that ordered a lab and the ResourceHandle bound to it."""
    name = f"{item}-{guid}"
    state = subject["spec"]["vars"]["current_state"]
    started = subject["metadata"]["creationTimestamp"]
    handle_name = f"guid-{guid}"
    reference = {
        "apiVersion": ANARCHY,
        "kind": "AnarchySubject",
        "name": subject["metadata"]["name"],
        "namespace": subject["metadata"]["namespace"],
    }
    claim_meta = ctx.meta(
        name,
        230,
        labels={
            "babylon.gpte.redhat.com/catalogItemName": full_name(item),
            "babylon.gpte.redhat.com/catalogItemNamespace": CATALOG_NAMESPACE,
        },
        annotations={
            "babylon.gpte.redhat.com/catalogItemDisplayName": catalog.display_name(item),
            "demo.redhat.com/requester": "sim-ops",
            "demo.redhat.com/UserEmail": "sim-ops@example.com",
        },
    )
    claim_meta["namespace"] = CLAIM_NAMESPACE
    claim = {
        "apiVersion": POOLBOY,
        "kind": "ResourceClaim",
        "metadata": claim_meta,
        "spec": {
            "provider": {
                "name": full_name(item),
                "parameterValues": {"purpose": "Practice / Enablement", "salesforce_id": ""},
            },
        },
        "status": {
            "resourceHandle": {"name": handle_name, "namespace": POOL_NAMESPACE},
            "resources": [
                {
                    "name": item,
                    "state": {
                        "apiVersion": ANARCHY,
                        "kind": "AnarchySubject",
                        "metadata": {k: subject["metadata"][k] for k in ("name", "namespace")},
                        "spec": {
                            "governor": subject["spec"]["governor"],
                            "vars": {
                                "current_state": state,
                                "desired_state": subject["spec"]["vars"]["desired_state"],
                            },
                        },
                    },
                }
            ],
            "summary": summary(item, guid, state),
            "lifespan": {"start": started, "end": ctx.ago(-240), "firstReady": ctx.ago(200)},
            "healthy": "failed" not in state,
            "ready": state == "started",
        },
    }
    handle_meta = ctx.meta(
        handle_name,
        230,
        labels={
            POOL_LABEL: item,
            f"{CLAIM_PREFIX}name": name,
            f"{CLAIM_PREFIX}namespace": CLAIM_NAMESPACE,
        },
    )
    handle_meta["namespace"] = POOL_NAMESPACE
    handle = {
        "apiVersion": POOLBOY,
        "kind": "ResourceHandle",
        "metadata": handle_meta,
        "spec": {
            "resourceClaim": {"name": name, "namespace": CLAIM_NAMESPACE},
            "resourcePool": {"name": item, "namespace": POOL_NAMESPACE},
            "provider": {"name": full_name(item)},
            "resources": [{"provider": {"name": full_name(item)}}],
            "lifespan": {"end": ctx.ago(-240)},
        },
        "status": {
            "healthy": "failed" not in state,
            "ready": state == "started",
            "resources": [{"reference": reference}],
            "summary": summary(item, guid, state),
        },
    }
    return [claim, handle]


def workshop(ctx: BuildContext, item: str, seats: int) -> Obj:
    meta = ctx.meta(
        f"{catalog.lab_code(item).lower()}-{item}",
        60 * 24,
        labels={
            "babylon.gpte.redhat.com/catalogItemName": full_name(item),
        },
    )
    meta["namespace"] = CLAIM_NAMESPACE
    return {
        "apiVersion": BABYLON,
        "kind": "Workshop",
        "metadata": meta,
        "spec": {
            "displayName": f"{catalog.lab_code(item)} {catalog.display_name(item)}",
            "openRegistration": True,
            "multiuserServices": False,
            "accessPassword": "sim-workshop-pass",
        },
        "status": {
            "userCount": {"total": seats, "assigned": seats // 2, "available": seats - seats // 2}
        },
    }


def stuck_teardown(ctx: BuildContext, item: str) -> Obj:
    """An AnarchySubject destroying for STUCK_TEARDOWN_HOURS; its lab namespace is gone."""
    guid = ctx.suffix()
    governor = full_name(item)
    started = ctx.ago(STUCK_TEARDOWN_HOURS * 60)
    meta = ctx.meta(
        f"{governor}-{guid}",
        60 * 24 * 2,
        labels={
            "anarchy.gpte.redhat.com/governor": governor,
            "state": "destroying",
        },
        annotations={"poolboy.gpte.redhat.com/resource-handle-name": f"guid-{guid}"},
    )
    meta["namespace"] = "babylon-anarchy-0"
    job = tower_job(ctx, guid, "running")
    job["startTimestamp"] = started
    del job["completeTimestamp"]
    return {
        "apiVersion": ANARCHY,
        "kind": "AnarchySubject",
        "metadata": meta,
        "spec": {
            "governor": governor,
            "vars": {
                "current_state": "destroying",
                "desired_state": "destroyed",
                "healthy": True,
                "job_vars": {
                    "guid": guid,
                    "catalog_item_name": item,
                    "sandbox_openshift_namespace": f"sandbox-{guid}-{item}",
                    "sandbox_openshift_cluster": ctx.cluster,
                    "cloud_provider": catalog.cloud_provider(item),
                },
            },
        },
        "status": {
            "towerJobs": {"destroy": job},
            "actions": {"destroy": {"state": "running", "startTimestamp": started}},
            "lastTransitionTime": started,
        },
    }


def sandbox_api_deployment(ctx: BuildContext, replicas: int = 3, ready: int = 3) -> Obj:
    meta = ctx.meta("sandbox-api", 60 * 24 * 20, labels={"app": "sandbox-api"}, generation=4)
    meta["namespace"] = SANDBOX_API_NAMESPACE
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "sandbox-api"}},
            "template": {
                "metadata": {"labels": {"app": "sandbox-api"}},
                "spec": {
                    "containers": [
                        {"name": "sandbox-api", "image": "quay.io/rhpds/sandbox-api:v1.1"}
                    ]
                },
            },
        },
        "status": {
            "observedGeneration": 4,
            "replicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "updatedReplicas": replicas,
        },
    }


def hub_objects(seed: int, cluster: str, cluster_index: int, now: datetime) -> list[Obj]:
    """Per cluster (each is its own hub): catalog items, pools with their unclaimed handles and
    status, workshops, the Sandbox API deployment."""
    rng = random.Random(f"{seed}:{cluster}:babylon")
    ctx = BuildContext(cluster, POOL_NAMESPACE, rng, now)
    objects: list[Obj] = []
    for item in catalog.items():
        objects.append(catalog_item(ctx, item))
        minimum, available = catalog.pool_plan(seed, cluster_index, item)
        pool = resource_pool(ctx, item, minimum)
        handles = [
            unclaimed_handle(ctx, pool, ready=i < max(available - 1, 1)) for i in range(available)
        ]
        pool_status(pool, handles)
        objects += [pool, *handles]
        objects.append(workshop(ctx, item, 20 + 10 * catalog.items().index(item)))
    objects.append(sandbox_api_deployment(ctx))
    objects.append(multiworkshop(ctx))
    return objects


def multiworkshop(ctx: BuildContext) -> Obj:
    meta = ctx.meta(f"{catalog.EVENT}-day1", 60 * 24 * 3)
    meta["namespace"] = CLAIM_NAMESPACE
    return {
        "apiVersion": BABYLON,
        "kind": "MultiWorkshop",
        "metadata": meta,
        "spec": {
            "displayName": "Summit 2026, day 1",
            "workshops": [{"name": f"{catalog.lab_code(i).lower()}-{i}"} for i in catalog.items()],
        },
    }


def platform_extras(seed: int, first_cluster: str, now: datetime) -> dict[str, list[Obj]]:
    """Objects the platform services' scenario adds to the fleet (not part of `generate_fleet`,
    so the scanner's view of a bare fleet keeps exactly its labs): on the first cluster, an
    AnarchySubject stuck destroying for STUCK_TEARDOWN_HOURS whose lab namespace is gone."""
    rng = random.Random(f"{seed}:{first_cluster}:stuck-teardown")
    ctx = BuildContext(first_cluster, "babylon-anarchy-0", rng, now)
    return {first_cluster: [stuck_teardown(ctx, catalog.EXHAUSTED_ITEM)]}
