"""The SSRF guard: schemes, credentials, cluster-internal names, non-global addresses, the
allow-list, metadata always refused, and a second resolution checked again (DNS rebinding)."""

from __future__ import annotations

import ipaddress

import pytest

from notifications.guard import UrlRefused, url_check

NONE: list[ipaddress.IPv4Network] = []
LOOPBACK = [ipaddress.ip_network("127.0.0.1/32")]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://hooks.example.com/x", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("https://user:pw@hooks.example.com/x", "credentials"),
        ("https://hook.default.svc/x", "cluster-internal"),
        ("https://api.cluster.local/x", "cluster-internal"),
        ("http://localhost:8000/x", "cluster-internal or local"),
        ("http://metadata.google.internal/", "cluster-internal"),
        ("http://127.0.0.1:9/x", "not a public address"),
        ("http://[::1]:9/x", "not a public address"),
        ("http://10.1.2.3/x", "not a public address"),
        ("http://192.168.0.1/x", "not a public address"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://[fe80::1]/x", "not a public address"),
        ("http://[::ffff:127.0.0.1]/x", "not a public address"),
        ("http://100.100.100.200/x", "metadata"),
        ("http://0.0.0.0/x", "not a public address"),
        ("http://224.0.0.1/x", "not a public address"),
    ],
)
def test_it_refuses(url: str, reason: str) -> None:
    with pytest.raises(UrlRefused, match=reason):
        url_check(url, NONE)


def test_it_accepts_a_public_address_and_returns_it() -> None:
    checked = url_check("https://93.184.215.14/hook", NONE)
    assert (checked.scheme, checked.address, checked.port) == ("https", "93.184.215.14", 443)


def test_an_allowed_network_lets_the_loopback_receivers_in_but_never_metadata() -> None:
    assert url_check("http://127.0.0.1:8080/x", LOOPBACK).address == "127.0.0.1"
    with pytest.raises(UrlRefused, match="not a public"):
        url_check("http://127.0.0.2:8080/x", LOOPBACK)
    everything = [ipaddress.ip_network("0.0.0.0/0")]
    with pytest.raises(UrlRefused, match="metadata"):
        url_check("http://169.254.169.254/", everything)


def test_every_resolved_address_is_checked_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name that answered a public address, then a loopback one (DNS rebinding), is refused
    at the second check: every delivery resolves and checks again."""
    from notifications import guard

    answers = iter([["93.184.215.14"], ["93.184.215.14", "127.0.0.1"]])

    def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        return [ipaddress.ip_address(a) for a in next(answers)]

    monkeypatch.setattr(guard, "_resolve", resolve)
    assert url_check("https://hooks.example.com/x", NONE).address == "93.184.215.14"
    with pytest.raises(UrlRefused, match=r"resolves to 127\.0\.0\.1"):
        url_check("https://hooks.example.com/x", NONE)


def test_a_name_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(UrlRefused, match="does not resolve"):
        url_check("https://no-such-host.invalid/x", NONE)


@pytest.mark.django_db
def test_a_channel_is_checked_when_it_is_saved_in_the_admin(settings: object) -> None:
    from django.core.exceptions import ValidationError

    from notifications.models import Channel

    for url in ("http://10.0.0.5/hook", "gopher://hooks.example.com/", "http://a.svc/x"):
        with pytest.raises(ValidationError, match="Refused"):
            Channel(name="x", kind=Channel.Kind.WEBHOOK, url=url).full_clean()
    with pytest.raises(ValidationError, match="routing key"):
        Channel(name="pd", kind=Channel.Kind.PAGERDUTY).full_clean()
    Channel(name="ok", kind=Channel.Kind.WEBHOOK, url="http://127.0.0.1:9/x").full_clean()
