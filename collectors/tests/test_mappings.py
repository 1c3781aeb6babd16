"""Lab mappings (platform-contracts 3.3): derivation, matching, and the resolver's fallback."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from collectors.identity import identities_resolve
from collectors.mappings import (
    MappingIndex,
    carried_lab,
    ci_base_for,
    claim_mappings_refresh,
    labagator_mappings_refresh,
    mapping_match,
    pool_mapping,
)
from collectors.models import LabIdentity, LabMapping, ProvisionRecord, ScheduledLab
from collectors.runner import source_run
from labs.models import Cluster, Lab, LabInstance

from .conftest import NOW, Configure

FIXTURES = Path(os.environ.get("STARGATE_FIXTURES_DIR", "../shared/fixtures"))


def _m(code: str, pattern: str, pool: str = "") -> LabMapping:
    return LabMapping(lab_code=code, namespace_pattern=pattern, pool_pattern=pool)


@pytest.mark.parametrize(
    ("slug", "cloud", "governors", "expected"),
    [
        ("lb1208-rhel-virt", "AWS", ["openshift-cnv.lb1208-rhel-virt.event"], "openshift-cnv"),
        ("lb1208-virt-cnv", "AWS", [], "openshift-cnv"),  # (2) the slug wins over the cloud
        ("lb1301-ocp-aws", "", [], "clusterplatform"),
        ("lb1400-ns-tenant", "CNV", [], "lb1400-ns-tenant"),
        ("lb1500-virt", "CNV", [], "openshift-cnv"),  # (3)
        ("lb1501-ocp", "AWS", [], "clusterplatform"),
        ("lb1502-apps", "Tenant Namespace", [], "lb1502-apps"),  # (4)
        ("lb1503-other", "Azure", [], ""),  # (5)
    ],
)
def test_ci_base_follows_rules_one_to_five(
    slug: str, cloud: str, governors: list[str], expected: str
) -> None:
    assert ci_base_for(slug=slug, cloud=cloud, governors=governors) == expected


def test_names_carry_their_lab() -> None:
    assert carried_lab("summit-2026.lb1208-rhel-virt.event-abc12") == "LB1208"
    assert carried_lab("agd-v2.rhacs-demo-cnv.prod-247gt-1") == "rhacs-demo-cnv"
    assert carried_lab("plain") == ""


def test_guid_mappings_win_then_the_longest_literal_prefix_then_the_lab_code() -> None:
    catalog = _m("LB1500", "sandbox-*-openshift-cnv")
    longer = _m("LB1600", "sandbox-ab*-openshift-cnv")
    tie = _m("LB1400", "sandbox-ab*-openshift-cnv")
    guid = _m("guid:abc12", "sandbox-abc12-*")
    namespace = "sandbox-abc12-openshift-cnv"
    assert mapping_match(namespace, [catalog, longer, tie, guid]) is guid
    assert mapping_match(namespace, [catalog, longer, tie]) is tie  # tie: on lab_code
    assert mapping_match(namespace, [catalog]) is catalog
    assert mapping_match("sandbox-zz9-clusterplatform", [catalog, guid]) is None
    index = MappingIndex([catalog, longer, tie, guid, _m("guid:zz9", "sandbox-zz9-*")])
    assert index.match(namespace) is guid and "abc12" in index.by_guid
    assert index.match(namespace, guids=False) is tie
    assert index.match("sandbox-zz9-openshift-cnv").lab_code == "guid:zz9"
    pools = [_m("LB1500", "", "openshift-cnv.*"), _m("LB1501", "", "openshift-cnv.lb1501*")]
    assert pool_mapping("openshift-cnv.lb1501-virt.event", pools) is pools[1]


@pytest.mark.django_db
def test_a_namespace_name_is_never_a_lab_code() -> None:
    cluster = Cluster.objects.create(name="c1", api_url="http://127.0.0.1:9")
    LabInstance.objects.create(
        cluster=cluster, namespace="lab-ns", lab=Lab.objects.create(catalog_item="x")
    )
    for code in ("sandbox-abc12-ocp4-cluster", "showroom-x", "lab-ns", "guid:ABC"):
        with pytest.raises(ValidationError):
            LabMapping(lab_code=code, namespace_pattern="sandbox-*").full_clean()
    LabMapping(lab_code="LB1208", namespace_pattern="sandbox-*-openshift-cnv").full_clean()


@pytest.mark.django_db
def test_a_claim_gives_a_guid_mapping_real_capture() -> None:
    data = json.loads((FIXTURES / "live" / "resourceclaim.json").read_text())
    claims = data.get("items", [data])
    assert claim_mappings_refresh(claims, NOW) == 1
    mapping = LabMapping.objects.get(lab_code="guid:fcs6h")
    assert mapping.source == "claim" and mapping.namespace_pattern == "sandbox-fcs6h-*"
    assert (mapping.ci_name, mapping.ci_base) == ("ocp4-aws", "ocp4-aws")
    assert mapping.ci_slug == "clusterplatform.ocp4-aws.prod"
    assert mapping.agnosticv_path == "clusterplatform/ocp4-aws/prod.yaml"
    # a hand-written mapping of the same GUID is never replaced
    LabMapping.objects.filter(pk=mapping.pk).update(source="manual", ci_base="by-hand")
    claim_mappings_refresh(claims, NOW)
    assert LabMapping.objects.get(pk=mapping.pk).ci_base == "by-hand"


@pytest.mark.django_db
def test_labagator_labs_give_mappings_with_their_event_clusters(settings: Any) -> None:
    settings.COLLECTORS_EVENT_PREFIX = "summit-2026"
    hub = Cluster.objects.create(name="hub", api_url="http://127.0.0.1:9")
    ScheduledLab.objects.create(
        source="labagator", lab_code="LB1208", cloud="AWS", ci_name="summit-2026.lb1208-rhel-virt"
    )
    ScheduledLab.objects.create(
        source="labagator", lab_code="LB1300", cloud="Azure", ci_name="summit-2026.lb1300-x"
    )
    ProvisionRecord.objects.create(
        hub=hub,
        namespace="babylon",
        name="openshift-cnv.lb1208-rhel-virt.summit-2026-abc12",
        governor="openshift-cnv.lb1208-rhel-virt.summit-2026",
        workload_cluster_name="cnv-east",
    )
    LabMapping.objects.create(lab_code="LB9999", source="labagator")  # a lab gone
    assert labagator_mappings_refresh(NOW) == 2
    mapping = LabMapping.objects.get(lab_code="LB1208")
    assert mapping.ci_base == "openshift-cnv"  # (1) the subject's governor beats AWS
    assert mapping.namespace_pattern == "sandbox-*-openshift-cnv"
    assert mapping.pool_pattern == "openshift-cnv.*"
    assert mapping.agnosticv_path == "summit-2026/lb1208-rhel-virt"
    assert mapping.clusters == ["cnv-east"]
    empty = LabMapping.objects.get(lab_code="LB1300")
    assert (empty.ci_base, empty.namespace_pattern, empty.pool_pattern) == ("", "", "")
    assert not LabMapping.objects.filter(lab_code="LB9999").exists()


@pytest.mark.django_db
def test_the_resolver_falls_back_to_a_mapping_before_the_suffix() -> None:
    cluster = Cluster.objects.create(name="c1", api_url="http://127.0.0.1:9")
    suffix = Lab.objects.create(catalog_item="openshift-cnv")
    scheduled = Lab.objects.create(catalog_item="lb1208-rhel-virt")
    mapped = LabInstance.objects.create(
        cluster=cluster, namespace="sandbox-q7w9e-openshift-cnv", guid="q7w9e", lab=suffix
    )
    unmapped = LabInstance.objects.create(
        cluster=cluster, namespace="sandbox-k2k2k-other", guid="k2k2k", lab=suffix
    )
    LabMapping.objects.create(
        lab_code="LB1208",
        namespace_pattern="sandbox-*-openshift-cnv",
        agnosticv_path="summit-2026/lb1208-rhel-virt",
        lab=scheduled,
    )
    counts = identities_resolve([], [], NOW)
    assert counts == {"mapping": 1, "suffix": 1}
    identity = LabIdentity.objects.get(instance=mapped)
    assert (identity.resolved_by, identity.lab_code) == ("mapping", "LB1208")
    assert identity.catalog_item == "lb1208-rhel-virt"
    assert identity.agnosticv_path == "summit-2026/lb1208-rhel-virt"
    assert LabIdentity.objects.get(instance=unmapped).resolved_by == "suffix"


@pytest.mark.django_db
def test_the_labagator_cycle_writes_the_mappings(configure: Configure, services: Any) -> None:
    configure("labagator")
    run = source_run("labagator", now=NOW)
    assert run is not None and run.ok, run.error
    codes = {s.lab_code for s in ScheduledLab.objects.all()}
    assert set(LabMapping.objects.values_list("lab_code", flat=True)) == codes
    assert run.summary["mappings"] == len(codes)
    vm = LabMapping.objects.get(lab_code="LB1201")  # ocp4-cluster, cloud CNV
    assert vm.ci_base == "openshift-cnv" and vm.agnosticv_path == "summit-2026/ocp4-cluster"
