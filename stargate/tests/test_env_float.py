from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from stargate.lib.env import envfloat


def test_it_reads_a_float_or_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STARGATE_X", raising=False)
    assert envfloat("STARGATE_X", 1.5) == 1.5
    monkeypatch.setenv("STARGATE_X", "0.25")
    assert envfloat("STARGATE_X", 1.5) == 0.25


@pytest.mark.parametrize(("raw", "message"), [("cheap", "not a number"), ("-1", "at least 0")])
def test_it_rejects_a_bad_value(monkeypatch: pytest.MonkeyPatch, raw: str, message: str) -> None:
    monkeypatch.setenv("STARGATE_X", raw)
    with pytest.raises(ImproperlyConfigured, match=message):
        envfloat("STARGATE_X", 1.0, minimum=0)


def test_it_rejects_nan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARGATE_X", "nan")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        envfloat("STARGATE_X", 1.0, minimum=0)
