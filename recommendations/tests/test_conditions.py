"""The condition language: comparisons, `in`, AND over OR, thresholds, literals, errors."""

from __future__ import annotations

import re

import pytest

from recommendations.conditions import ConditionError, check_names, parse


def test_and_binds_tighter_than_or() -> None:
    condition = parse("a > 1 AND b > 1 OR c == 1")
    assert condition.holds({"a": 0, "b": 0, "c": 1}, {})
    assert not condition.holds({"a": 2, "b": 0, "c": 0}, {})
    assert condition.holds({"a": 2, "b": 2, "c": 0}, {})


def test_bare_words_are_thresholds_and_outcome_words_are_values() -> None:
    condition = parse("available <= available_max AND route_ready == fail")
    assert condition.names == {"available_max"}
    assert condition.holds({"available": 1, "route_ready": "FAIL"}, {"available_max": 1})
    assert not condition.holds({"available": 2, "route_ready": "fail"}, {"available_max": 1})


def test_in_lists_and_quoted_strings() -> None:
    condition = parse("routing in ('xeon6_fallback', \"rebalance_to_xeon6\")")
    assert condition.holds({"routing": "xeon6_fallback"}, {})
    assert not condition.holds({"routing": "unknown"}, {})


def test_booleans_compare_with_facts_given_as_bools_or_numbers() -> None:
    assert parse("connected == false").holds({"connected": False}, {})
    assert parse("provisioned == 0").holds({"provisioned": False}, {})


def test_a_missing_value_never_holds_an_ordering() -> None:
    condition = parse("estimated_exhaustion_hours < 4")
    assert not condition.holds({"estimated_exhaustion_hours": None}, {})
    assert not condition.holds({}, {})
    assert parse("velocity < -0.5").holds({"velocity": -1.25}, {})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("a >", "missing value"),
        ("a", "missing operator"),
        ("a = 1", "cannot read"),
        ("a > 1 AND", "nothing after"),
        ("a > 1 b > 2", "expected AND or OR"),
        ("a in 1", "expected '('"),
        ("a in ()", "empty list"),
        ("a in (1, 2", "missing ')'"),
    ],
)
def test_it_refuses_what_it_cannot_read(text: str, message: str) -> None:
    with pytest.raises(ConditionError, match=re.escape(message)):
        parse(text)


def test_it_names_the_unknown_fact_or_threshold() -> None:
    condition = parse("a > limit AND b == 1")
    assert check_names(condition, {"a"}, {"limit"}) == "unknown fact 'b'"
    assert check_names(condition, {"a", "b"}, set()) == "unknown threshold 'limit'"
    assert check_names(condition, {"a", "b"}, {"limit"}) is None
    assert check_names(condition, {"a", "b", "limit"}, set()) is None  # another fact


def test_a_fact_can_be_compared_with_another() -> None:
    condition = parse("replicas_ready < replicas_desired")
    assert condition.holds({"replicas_ready": 1, "replicas_desired": 2}, {})
    assert not condition.holds({"replicas_ready": 2, "replicas_desired": 2}, {})
