"""DNS-label validation is defined once, in `stargate.lib.dns`."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from labs.models import DNS_LABEL
from labs.probe_scope import DOMAIN
from stargate.lib.dns import is_dns_label, is_dns_subdomain

ROOT = Path(__file__).resolve().parents[2]
APPS = ("stargate", "labs", "scanning", "rubrics_app", "remediation", "forecasting")


@pytest.mark.parametrize("value", ["a", "lab-1", "x" * 63])
def test_it_accepts_labels(value: str) -> None:
    assert is_dns_label(value)
    DNS_LABEL(value)


@pytest.mark.parametrize("value", ["", "-a", "a-", "A", "a.b", "x" * 64, None, 3])
def test_it_refuses_non_labels(value: object) -> None:
    assert not is_dns_label(value)


def test_subdomains_and_domains_are_built_from_the_same_label() -> None:
    assert is_dns_subdomain("subject.anarchy.example")
    assert not is_dns_subdomain("a..b")
    assert DOMAIN.match("apps.cluster.example.com")
    with pytest.raises(ValidationError):
        DNS_LABEL("Not_A_Label")


def test_no_other_production_module_spells_the_label_pattern() -> None:
    spelled = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if not {"tests", "migrations"} & set(path.relative_to(ROOT).parts)
        and "{0,61}" in path.read_text(encoding="utf-8")
    ]
    assert spelled == ["stargate/lib/dns.py"]
