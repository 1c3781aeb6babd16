"""Executors: one small module per execution method (healthchecks' transports, lazily imported).

Contract: `Executor.execute(context) -> ExecutionResult`; raises `ExecutionError` on a failure it
understands. Every executor re-checks names and the namespace allow-list itself (defence in depth).
"""

from __future__ import annotations

from django.utils.module_loading import import_string

from remediation.executors.base import Executor

EXECUTORS: dict[str, str] = {
    "kubernetes": "remediation.executors.kubernetes.KubernetesExecutor",
    "rhdp_anarchy": "remediation.executors.rhdp_anarchy.AnarchyExecutor",
    "rhdp_poolboy": "remediation.executors.rhdp_poolboy.PoolboyExecutor",
    "rhdp_sandbox_api": "remediation.executors.rhdp_sandbox_api.SandboxApiExecutor",
}


def executor_for(method: str) -> type[Executor]:
    executor: type[Executor] = import_string(EXECUTORS[method])
    return executor
