from __future__ import annotations

import datetime as dt
import itertools
import threading

import pytest
from django.db import connection
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from labs.models import LabInstance
from remediation.services import rate_slot_claim
from remediation.tests.conftest import make_lab_instance

NOW = dt.datetime(2026, 11, 26, 10, 30, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_it_counts_per_lab_per_hour() -> None:
    instance = make_lab_instance(max_per_hour=2)
    assert [rate_slot_claim(lab_instance=instance, now=NOW) for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert rate_slot_claim(lab_instance=instance, now=NOW + dt.timedelta(hours=1))


@pytest.mark.django_db
@override_settings(REMEDIATION_MAX_ACTIONS_PER_CLUSTER_HOUR=3)
def test_it_counts_per_cluster_across_labs_and_takes_nothing_when_refused() -> None:
    first = make_lab_instance(namespace="sandbox-a1-web", max_per_hour=10)
    second = make_lab_instance(namespace="sandbox-b2-db", max_per_hour=10)
    results = [rate_slot_claim(lab_instance=lab, now=NOW) for lab in (first, second) * 3]
    assert results.count(True) == 3
    from remediation.models import RateCounter

    # A refusal by the cluster limit must not keep the lab slot it took first.
    assert (
        RateCounter.objects.get(key=f"lab-{first.lab_id}").count
        + RateCounter.objects.get(key=f"lab-{second.lab_id}").count
        == 3
    )


def _claim_many(pk: int, barrier: threading.Barrier, times: int, results: list[bool]) -> None:
    try:
        instance = LabInstance.objects.select_related("lab").get(pk=pk)
        barrier.wait()
        for _ in range(times):
            results.append(rate_slot_claim(lab_instance=instance, now=NOW))
    finally:
        connection.close()


EXAMPLES = itertools.count()


@pytest.mark.django_db(transaction=True)
@settings(max_examples=6, deadline=None)
@given(lab_limit=st.integers(1, 30), cluster_limit=st.integers(1, 30))
def test_it_holds_the_limits_with_two_concurrent_workers(
    lab_limit: int, cluster_limit: int
) -> None:
    seq = next(EXAMPLES)
    instance = make_lab_instance(
        namespace=f"sandbox-r{seq}-lab{seq}", cluster_name=f"rate{seq}", max_per_hour=lab_limit
    )
    barrier, results = threading.Barrier(2), []  # type: ignore[var-annotated]
    workers = [
        threading.Thread(target=_claim_many, args=(instance.pk, barrier, 20, results))
        for _ in range(2)
    ]
    with override_settings(REMEDIATION_MAX_ACTIONS_PER_CLUSTER_HOUR=cluster_limit):
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
    assert len(results) == 40
    assert results.count(True) == min(lab_limit, cluster_limit)
