from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rubrics_app.semantics.common import Health
from rubrics_app.semantics.datavolumes import datavolume_health
from rubrics_app.semantics.pvcs import pvc_health
from rubrics_app.semantics.vms import VM_FAILED, guest_agent_health, vm_health, vmi_health

from .captured import items, one


def test_it_sees_the_import_in_progress_with_its_progress_marker(captures):
    result = datavolume_health(one(captures, "oc/vm-unhealthy/datavolume.json"))
    assert (result.status, result.reason, result.marker) == (
        Health.PROGRESSING,
        "ImportInProgress",
        "ImportInProgress 23.4%",
    )
    # CDI records no time of last progress: only the engine's memory can time a stall.
    assert result.since is None


def test_it_finds_every_live_cnv_datavolume_and_pvc_ready(captures):
    dvs = items(captures, "live-cnv/datavolume.json")
    pvcs = items(captures, "live-cnv/pvc.json")
    assert {datavolume_health(dv).status for dv in dvs} == {Health.READY}
    assert {pvc_health(pvc).status for pvc in pvcs} == {Health.READY}


def test_it_fails_a_datavolume_whose_running_condition_errors():
    dv = {"kind": "DataVolume", "metadata": {"name": "d"}, "status": {"phase": "ImportInProgress"}}
    dv["status"]["conditions"] = [{"type": "Running", "status": "False", "reason": "Error"}]
    assert datavolume_health(dv).status == Health.FAILED


@given(st.sampled_from(["Failed", "Paused", "Succeeded", "ImportScheduled", "CloneInProgress"]))
def test_it_maps_datavolume_phases(phase):
    dv = {"kind": "DataVolume", "metadata": {"name": "d"}, "status": {"phase": phase}}
    expected = {"Failed": Health.FAILED, "Paused": Health.SUSPENDED, "Succeeded": Health.READY}
    assert datavolume_health(dv).status == expected.get(phase, Health.PROGRESSING)


def test_it_keeps_a_pending_pvc_progressing_and_fails_on_provisioning_failed(captures):
    pvc = one(captures, "oc/vm-unhealthy/pvc.json")
    assert pvc_health(pvc).status == Health.PROGRESSING
    event = {"reason": "ProvisioningFailed", "message": "no capacity"}
    event["involvedObject"] = {"kind": "PersistentVolumeClaim", "name": "demo-vm-rootdisk"}
    assert pvc_health(pvc, [event]).status == Health.FAILED
    wffc = {**event, "reason": "WaitForFirstConsumer"}
    assert pvc_health(pvc, [wffc]).status == Health.READY


def test_it_fails_lost_pvcs():
    pvc = {"kind": "PersistentVolumeClaim", "metadata": {"name": "x"}, "status": {"phase": "Lost"}}
    assert pvc_health(pvc).status == Health.FAILED


def test_it_finds_live_cnv_vms_ready_and_some_agents_missing(captures):
    vms = items(captures, "live-cnv/vm.json")
    vmis = items(captures, "live-cnv/vmi.json")
    assert {vm_health(vm).status for vm in vms} == {Health.READY}
    assert {vmi_health(vmi).status for vmi in vmis} == {Health.READY}
    agents = {vmi["metadata"]["name"]: guest_agent_health(vmi).status for vmi in vmis}
    assert agents["controller"] == agents["ssap"] == Health.PROGRESSING
    assert agents["bastion"] == Health.READY


def test_it_sees_the_scheduling_vmi_and_waiting_vm_as_progress(captures):
    assert vm_health(one(captures, "oc/vm-unhealthy/vm.json")).status == Health.PROGRESSING
    vmi = vmi_health(one(captures, "oc/vm-unhealthy/vmi.json"))
    assert (vmi.status, vmi.reason) == (Health.PROGRESSING, "Scheduling")


@given(st.sampled_from(sorted(VM_FAILED)))
def test_it_fails_every_failing_printable_status(printable):
    vm = {"kind": "VirtualMachine", "metadata": {"name": "v"}}
    vm["status"] = {"printableStatus": printable}
    assert vm_health(vm).status == Health.FAILED


@given(st.sampled_from(["Failed", "Unknown"]))
def test_it_fails_vmis_in_failed_or_unknown_phase(phase):
    vmi = {"kind": "VirtualMachineInstance", "metadata": {"name": "v"}, "status": {"phase": phase}}
    assert vmi_health(vmi).status == Health.FAILED


def test_it_gives_restart_required_its_own_reason(captures):
    vm = one(captures, "oc/vm-healthy/vm.json")
    vm["status"]["conditions"].append({"type": "RestartRequired", "status": "True"})
    result = vm_health(vm)
    assert (result.status, result.reason) == (Health.WARN, "RestartRequired")


def test_it_waits_for_the_first_consumer_only_until_it_is_scheduled(captures):
    from rubrics_app.semantics.pvcs import claims_in_use

    pvc = one(captures, "oc/vm-unhealthy/pvc.json")
    wffc = {"reason": "WaitForFirstConsumer", "message": "waiting for first consumer"}
    wffc["involvedObject"] = {"kind": "PersistentVolumeClaim", "name": "demo-vm-rootdisk"}
    consumer = {
        "metadata": {"name": "virt-launcher-demo-vm"},
        "spec": {
            "nodeName": "worker-0",
            "volumes": [{"persistentVolumeClaim": {"claimName": "demo-vm-rootdisk"}}],
        },
        "status": {"phase": "Pending"},
    }
    assert claims_in_use([consumer]) == {"demo-vm-rootdisk"}
    assert claims_in_use([{**consumer, "spec": {**consumer["spec"], "nodeName": ""}}]) == set()
    assert pvc_health(pvc, [wffc], consumer_started=False).status == Health.READY
    assert pvc_health(pvc, [wffc], consumer_started=True).status == Health.PROGRESSING
