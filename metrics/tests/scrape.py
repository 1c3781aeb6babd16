"""Scraping `/metrics` as Prometheus does, parsed by prometheus_client's own parser."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

TOKEN = "metrics-token-for-tests"


def scrape(client: Any) -> dict[str, list[Sample]]:
    """{family name: samples} of one scrape with the token."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def value(families: dict[str, list[Sample]], sample: str, **labels: str) -> float | None:
    """The value of the sample named `sample` whose labels include `labels`, or None."""
    for found in (s for samples in families.values() for s in samples):
        if found.name == sample and labels.items() <= found.labels.items():
            return float(found.value)
    return None
