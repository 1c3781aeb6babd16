"""The substrate router (contract 23.6): unknown without classified nodes, then first match."""

from __future__ import annotations

from recommendations.substrate import ClusterLoad, decide, route

LABEL = "hardware.stargate.io/class"
GAUDI, XEON = {LABEL: "gaudi"}, {LABEL: "xeon6"}


def test_it_is_unknown_without_the_hardware_label() -> None:
    assert route(ClusterLoad([{"kubernetes.io/os": "linux"}], avg_cpu=99), label=LABEL) == "unknown"


def test_saturated_gaudi_falls_back_to_xeon6() -> None:
    # 80 * 1.2 = 96 > 90
    assert route(ClusterLoad([GAUDI, XEON], avg_cpu=80), label=LABEL) == "xeon6_fallback"
    assert route(ClusterLoad([GAUDI], avg_cpu=10, hot_nodes=1), label=LABEL) == "xeon6_fallback"


def test_busy_gaudi_and_idle_xeon_rebalance() -> None:
    # gaudi 70 * 1.2 = 84 (> 70, <= 90); xeon max(70 * 0.8, 5) = 56 ... not under 20
    assert route(ClusterLoad([GAUDI, XEON], avg_cpu=70), label=LABEL) == "gaudi_preferred"
    # one of two gaudi nodes hot: gaudi min(74 * 1.2, 100) = 88.8, xeon = avg 74 (hot) -> no
    assert (
        route(ClusterLoad([GAUDI, GAUDI, XEON], avg_cpu=74, hot_nodes=1), label=LABEL)
        == "gaudi_preferred"
    )
    # no xeon nodes: xeon 0 < 20 and gaudi 84 > 70
    assert route(ClusterLoad([GAUDI], avg_cpu=70), label=LABEL) == "rebalance_to_xeon6"


def test_blocked_provisioning_changes_nothing_and_crashloops_isolate() -> None:
    blocked = ClusterLoad([GAUDI], avg_cpu=99, provisioning_blocked=True)
    assert route(blocked, label=LABEL) == "no_change"
    sick = ClusterLoad([XEON], avg_cpu=50, crash_loops=2, failing_sandboxes=1)
    assert route(sick, label=LABEL) == "isolate"
    assert route(ClusterLoad([XEON], avg_cpu=50, failed_nodes=1), label=LABEL) == "xeon6_fallback"


def test_each_decision_names_where_inference_and_compute_go() -> None:
    fallback = decide(ClusterLoad([GAUDI, XEON], avg_cpu=80), label=LABEL)
    assert (fallback.decision, fallback.inference, fallback.compute) == (
        "xeon6_fallback",
        "xeon6",
        "xeon6",
    )
    assert (fallback.gaudi_utilisation, fallback.xeon6_utilisation) == (96.0, 64.0)
    # avg memory 81 > memory_pressure 80: gaudi preferred, compute on gaudi too
    pressed = decide(ClusterLoad([GAUDI, XEON], avg_cpu=50, avg_memory=81), label=LABEL)
    assert (pressed.decision, pressed.inference, pressed.compute) == (
        "gaudi_preferred",
        "gaudi",
        "gaudi",
    )
    calm = decide(ClusterLoad([GAUDI, XEON], avg_cpu=50, avg_memory=80), label=LABEL)
    assert (calm.decision, calm.inference, calm.compute) == ("gaudi_preferred", "gaudi", "xeon6")
    # at 90 exactly gaudi is not saturated: 75 * 1.2 = 90
    assert route(ClusterLoad([GAUDI, XEON], avg_cpu=75), label=LABEL) == "gaudi_preferred"
    # a blocked cluster with a failed node still falls back
    both = ClusterLoad([GAUDI], avg_cpu=10, failed_nodes=1, provisioning_blocked=True)
    assert route(both, label=LABEL) == "xeon6_fallback"
    # crash loops alone, or failing sandboxes alone, do not isolate
    assert route(ClusterLoad([XEON], avg_cpu=50, crash_loops=2), label=LABEL) == "gaudi_preferred"
    # xeon utilisation floor of 5: max(2 * 0.8, 5) = 5 < 20, but gaudi 2.4 is not busy
    assert route(ClusterLoad([GAUDI, XEON], avg_cpu=2), label=LABEL) == "gaudi_preferred"
