"""The pipeline on stored state that names lab instances deleted since (a cluster removed, a
namespace recycled): they count as recycled, and one event's failure never blocks the others."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.utils import timezone

from incidents.models import Cause, Cursor, Event, FailureRecord, Incident
from incidents.pipeline import events_process
from labs.models import Cluster, LabInstance
from rubrics_app.models import StateChange

from .factories import change, cluster, lab_instance, node

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]
# Another connection deletes a lab during the pass: SQLite has one writer at a time.
POSTGRESQL = pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers")


def test_it_closes_failures_of_deleted_labs_and_never_makes_them_members() -> None:
    now = timezone.now()
    live = lab_instance("sandbox-a1-web")
    west = cluster("west")
    gone = LabInstance.objects.bulk_create(
        LabInstance(cluster=west, namespace=f"sandbox-g{i}-web", lab=live.lab) for i in range(510)
    )
    FailureRecord.objects.bulk_create(
        FailureRecord(
            lab_instance=lab,
            cluster=west,
            lab=live.lab,
            rubric_id="deployment-ready",
            failure_class="crashloop",
            outcome="failed",
            detected_at=now - timedelta(minutes=5),
        )
        for lab in gone
    )
    west.delete()  # its labs go; their failure records keep pointing at nothing (null)
    change(live, "failed", "crashloop", at=now)
    events_process(now)
    assert not Incident.objects.exists()  # one live lab on one cluster: no group
    orphans = FailureRecord.objects.filter(lab_instance__isnull=True)
    assert orphans.count() == 510 and not orphans.filter(resolved_at__isnull=True).exists()
    assert set(orphans.values_list("cause", flat=True)) == {Cause.NAMESPACE_RECYCLED}
    assert Cursor.objects.get(name="state_changes").last_id == StateChange.objects.get().pk


def test_an_incident_whose_labs_were_all_deleted_resolves_as_recycled() -> None:
    now = timezone.now()
    labs = [lab_instance(f"sandbox-n{i}-web", cluster_name="west", node="w1") for i in range(3)]
    node(cluster("west"), "w1", ready=False)
    for lab in labs:
        change(lab, "failed", "crashloop", at=now)
    events_process(now)
    incident = Incident.objects.get()
    Cluster.objects.filter(name="west").delete()
    events_process(now + timedelta(minutes=1))
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert incident.resolution_cause == Cause.NAMESPACE_RECYCLED
    assert "namespace recycled" in incident.timeline.get(kind="resolved").text


def _delete_elsewhere(pk: int) -> None:
    """Delete a lab instance from another connection (another thread), committed."""

    def run() -> None:
        try:
            LabInstance.objects.filter(pk=pk).delete()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive()


@POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_lab_deleted_while_the_pipeline_runs_fails_only_its_own_event() -> None:
    now = timezone.now()
    first, second = lab_instance("sandbox-d1-web"), lab_instance("sandbox-d2-web")
    change(first, "failed", "crashloop", at=now - timedelta(seconds=2))
    last = change(second, "failed", "oom-killed", at=now - timedelta(seconds=1))
    doomed = second.pk

    def delete_second(sender: Any, instance: Event, created: bool, **kwargs: Any) -> None:
        if created and instance.lab_instance_id == first.pk:
            _delete_elsewhere(doomed)  # after the first event, before the second is stored

    post_save.connect(delete_second, sender=Event, dispatch_uid="test-delete-second")
    try:
        result = events_process(now)
    finally:
        post_save.disconnect(sender=Event, dispatch_uid="test-delete-second")
    assert not LabInstance.objects.filter(pk=doomed).exists()
    good = Event.objects.get(source__startswith="sc:", lab_instance=first)
    assert good.notify and not good.filtered
    failed = Event.objects.get(failure_class="oom-killed")
    assert failed.lab_instance_id is None and failed.processed and not failed.notify
    assert failed.filter_reason.startswith("error:") and failed.metadata["error"]
    assert result.events == 2
    assert Cursor.objects.get(name="state_changes").last_id == last.pk
    assert events_process(now).events == 0  # nothing retried


@POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_member_deleted_while_its_incident_forms_leaves_the_others_grouped() -> None:
    now = timezone.now()
    labs = [lab_instance(f"sandbox-m{i}-web", node="w1") for i in range(3)]
    for i in range(13):  # healthy: 3 failing labs of 16 are below the cluster threshold
        lab_instance(f"sandbox-h{i}-web")
    for lab in labs:
        change(lab, "failed", "crashloop", at=now)
    events_process(now)  # failures recorded, no incident yet: the node is fine
    node(cluster(), "w1", ready=False)
    doomed = labs[0].pk

    def delete_one(sender: Any, instance: Incident, created: bool, **kwargs: Any) -> None:
        if created:
            _delete_elsewhere(doomed)  # the incident exists, its members are not written yet

    post_save.connect(delete_one, sender=Incident, dispatch_uid="test-delete-member")
    try:
        events_process(now + timedelta(minutes=1))
    finally:
        post_save.disconnect(sender=Incident, dispatch_uid="test-delete-member")
    incident = Incident.objects.get()
    members = set(incident.members.values_list("lab_instance_id", flat=True))
    assert members == {labs[1].pk, labs[2].pk} and incident.is_open
