from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from collectors.complexity import complexity
from collectors.models import CatalogDefinition
from collectors.runner import source_run
from simulator.services.agnosticv import commit_file

from .conftest import NOW, Configure

pytestmark = pytest.mark.django_db


def test_the_repository_is_cloned_and_each_stage_file_parsed(
    configure: Configure, services: Any, tmp_path: Path
) -> None:
    configure("agnosticv", checkout_dir=str(tmp_path / "checkout"), timeout=30)
    run = source_run("agnosticv", now=NOW)
    assert run is not None and run.ok, run.error
    vm = CatalogDefinition.objects.get(path="openshift_cnv/ocp4-cluster/prod.yaml")
    assert vm.catalog_item == "openshift-cnv.ocp4-cluster.prod"
    assert vm.workload_count == 3 and vm.worker_instance_count == 3
    assert vm.timeout_seconds == 7200 and vm.cloud_provider == "openshift_cnv"
    # pinned collections only
    assert [c["name"] for c in vm.collections] == [
        "kubernetes.core",
        "ansible.posix",
        "https://github.com/rhpds/showroom-collection.git",
    ]
    # `{{ ... }}` channels are skipped; the `#include`d showroom file is merged
    assert vm.operator_channels == {"openshift_virtualization": "stable", "gitops": "gitops-1.15"}
    assert vm.showroom_repo == "https://github.com/rhpds/showroom-ocp4-cluster.git"
    assert vm.deployer["scm_ref"] == "ocp4-cluster-prod-1.4.2"  # the stage file wins
    assert vm.components and vm.ocp_version == "4.18"
    assert 0 < vm.complexity_score <= 1
    ai = CatalogDefinition.objects.get(path="ai-quickstarts/rhel-ai-workshop/prod.yaml")
    assert ai.ai_workers_cores == 48 and ai.ai_workers_memory == "256Gi"
    # the event item includes the account's item by absolute path
    event = CatalogDefinition.objects.get(path="summit-2026/ocp4-cluster/event.yaml")
    assert event.workload_count == 3
    assert not CatalogDefinition.objects.filter(operator_channels__icontains="vault").exists()

    # a new commit is pulled on the next cycle
    sha = commit_file(
        services.agnosticv_path,
        "openshift_cnv/ocp4-cluster/prod.yaml",
        "---\nworker_instance_count: 5\n",
        "more workers",
    )
    try:
        run = source_run("agnosticv", now=NOW)
        assert run is not None and run.ok, run.error
        assert run.summary["commit"] == sha
        assert CatalogDefinition.objects.get(pk=vm.pk).worker_instance_count == 5
    finally:
        commit_file(
            services.agnosticv_path,
            "openshift_cnv/ocp4-cluster/prod.yaml",
            "---\n__meta__:\n  deployer:\n    scm_ref: ocp4-cluster-prod-1.4.2\n"
            "purpose: production\n",
            "restore",
        )


def test_an_unreachable_repository_is_a_connection_error(
    configure: Configure, tmp_path: Path
) -> None:
    configure("agnosticv", url=f"file://{tmp_path}/missing", checkout_dir=str(tmp_path / "c"))
    run = source_run("agnosticv", now=NOW)
    assert run is not None and run.error_kind == "connection"


def test_a_url_that_looks_like_an_option_is_refused(configure: Configure, tmp_path: Path) -> None:
    configure("agnosticv", url="--upload-pack=touch /tmp/x", checkout_dir=str(tmp_path / "c"))
    run = source_run("agnosticv", now=NOW)
    assert run is not None and run.error_kind == "config" and run.attempts == 1


def test_complexity_follows_the_spec_formula() -> None:
    # 0.10 + 0.045 + 0.025 + 0.12 + 0 + 0.10 + 0.02 = 0.41, x 1.2 (openshift_cnv)
    found = complexity(
        workloads=3,
        collections=2,
        workers=3,
        ai_cores=0,
        timeout_seconds=7200,
        components=1,
        cloud="openshift_cnv",
    )
    assert found["score"] == 0.492
    assert found["estimated_provision_minutes"] == int(7200 / 60 * 0.6 + 15 + 4)
    assert found["resource_weight"] == round(3 * 4 / 32, 2)
    capped = complexity(
        workloads=20,
        collections=20,
        workers=9,
        ai_cores=128,
        timeout_seconds=99999,
        components=9,
        cloud="cnv",
    )
    assert capped["score"] == 1.0
    tenant = complexity(
        workloads="x",
        collections=None,
        workers=0,
        ai_cores=0,
        timeout_seconds=None,
        components=0,
        cloud="none",
    )
    assert tenant["score"] == round((0.10 + 3600 / 14400 * 0.20) * 0.5, 3)
