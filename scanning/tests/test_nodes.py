"""Node facts and the cluster summary each namespace's evidence carries (pure, no database)."""

from __future__ import annotations

from scanning.nodes import cluster_health, nodes_facts


def node(name: str, ready: str = "True", pressure: str = "False") -> dict[str, object]:
    return {
        "kind": "Node",
        "metadata": {"name": name},
        "spec": {},
        "status": {
            "conditions": [
                {"type": "Ready", "status": ready},
                {"type": "MemoryPressure", "status": pressure},
            ],
            "allocatable": {"cpu": "4", "memory": "16Gi"},
        },
    }


def test_it_names_the_nodes_not_ready_and_under_pressure():
    nodes = [node("worker-1"), node("worker-2", ready="False"), node("worker-3", pressure="True")]
    health = cluster_health(nodes_facts(nodes, []))
    assert (health["nodes_total"], health["nodes_ready"]) == (3, 2)
    assert health["nodes_not_ready"] == ["worker-2"]
    assert health["nodes_with_pressure"] == ["worker-3"]
