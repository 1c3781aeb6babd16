from __future__ import annotations

from remediation.effectiveness import EffectivenessRow, suggestion


def _row(risk: str, verified: int, recovered: int) -> EffectivenessRow:
    return EffectivenessRow("crashloop", "x", risk, verified, verified, verified, recovered, 1.0)


def test_it_suggests_graduating_a_reliable_medium_action() -> None:
    assert suggestion(_row("medium", 10, 10)).startswith("graduate")
    assert suggestion(_row("medium", 9, 9)) == ""
    assert suggestion(_row("low", 20, 20)) == ""


def test_it_suggests_demoting_an_unreliable_action() -> None:
    assert suggestion(_row("low", 6, 2)).startswith("demote")
    assert suggestion(_row("high", 6, 0)) == ""


def test_it_names_the_risk_a_suggestion_leads_to() -> None:
    assert _row("medium", 10, 10).with_suggestion("graduate: x").suggested_risk == "low"
    assert _row("low", 6, 1).with_suggestion("demote: x").suggested_risk == "medium"
    assert _row("low", 6, 6).with_suggestion("").suggested_risk == ""
