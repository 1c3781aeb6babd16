"""Gauges read from the current state of the database at scrape time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Count, Max
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from incidents.models import Incident
from labs.models import Cluster, LabInstance
from rubrics_app.models import LLMBreaker
from scanning.models import ScanRun

TIERS = (1, 2, 3, 4)


def labs() -> Iterator[Metric]:
    family = GaugeMetricFamily(
        "stargate_labs",
        "Live lab instances by readiness status, cluster and failure class.",
        labels=["status", "cluster", "class"],
    )
    rows = (
        LabInstance.objects.filter(deleted_at__isnull=True)
        .values_list("status", "cluster__name", "failure_class")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for status, cluster, cls, n in rows:
        family.add_metric([status, cluster, cls], n)
    yield family


def clusters(now: datetime) -> Iterator[Metric]:
    reachable = GaugeMetricFamily(
        "stargate_cluster_reachable",
        "1 when the cluster's API answered the last scan, 0 when it did not.",
        labels=["cluster"],
    )
    interval = GaugeMetricFamily(
        "stargate_scan_interval_seconds",
        "How often each tier of each cluster is scheduled.",
        labels=["cluster", "tier"],
    )
    fields = [f"tier{tier}_interval" for tier in TIERS]
    for name, up, *minutes in Cluster.objects.filter(enabled=True).values_list(
        "name", "reachable", *fields
    ):
        reachable.add_metric([name], 1.0 if up else 0.0)
        for tier, every in zip(TIERS, minutes, strict=True):
            interval.add_metric([name, str(tier)], every * 60.0)
    yield reachable
    yield interval
    yield _last_success_age(now)


def _last_success_age(now: datetime) -> Metric:
    family = GaugeMetricFamily(
        "stargate_scan_last_success_age_seconds",
        "Seconds since the last successful scan of each tier of each enabled cluster.",
        labels=["cluster", "tier"],
    )
    rows = (
        ScanRun.objects.filter(status=ScanRun.Status.SUCCEEDED, cluster__enabled=True)
        .values_list("cluster__name", "tier")
        .annotate(last=Max("finished_at"))
        .order_by()
    )
    for cluster, tier, last in rows:
        if last is not None:
            family.add_metric([cluster, str(tier)], max((now - last).total_seconds(), 0.0))
    return family


def incidents() -> Iterator[Metric]:
    family = GaugeMetricFamily(
        "stargate_incidents_open",
        "Open (or acknowledged) incidents by severity.",
        labels=["severity"],
    )
    counts = dict(
        Incident.objects.filter(status__in=Incident.OPEN_STATES)
        .values_list("severity")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for severity in Incident.Severity.values:
        family.add_metric([severity], counts.get(severity, 0))
    yield family


def breakers(now: datetime) -> Iterator[Metric]:
    family = GaugeMetricFamily(
        "stargate_llm_breaker_open",
        "1 while the LLM circuit breaker is open (calls fail fast).",
        labels=["breaker"],
    )
    for name, open_until in LLMBreaker.objects.values_list("name", "open_until"):
        family.add_metric([name], 1.0 if open_until is not None and open_until > now else 0.0)
    yield family
