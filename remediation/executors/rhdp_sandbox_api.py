from __future__ import annotations

from dataclasses import dataclass

import httpx

from remediation.catalog import UUID_RE
from remediation.executors.base import ExecutionError, ExecutionResult, Executor

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
PLACEMENT_ACTIONS = frozenset({"recreate", "start", "stop"})


@dataclass
class SandboxApiExecutor(Executor):
    """Placements through the platform's sandbox API, over httpx with timeouts."""

    def check(self) -> None:
        super().check()
        if not self.context.sandbox_api_url:
            raise ExecutionError("STARGATE_SANDBOX_API_URL is not set")
        if not UUID_RE.fullmatch(str(self.context.parameters.get("placement", ""))):
            raise ExecutionError("placement must be a lowercase UUID")
        operation = self.context.action.operation
        if operation == "placement_action" and (
            self.context.parameters.get("action") not in PLACEMENT_ACTIONS
        ):
            raise ExecutionError(f"action must be one of {', '.join(sorted(PLACEMENT_ACTIONS))}")

    def run(self) -> ExecutionResult:
        base = self.context.sandbox_api_url.rstrip("/")
        path = f"/api/v1/placements/{self.param('placement')}"
        headers = {"Authorization": f"Bearer {self.context.sandbox_api_token}"}
        try:
            with httpx.Client(base_url=base, timeout=TIMEOUT, headers=headers) as http:
                if self.context.action.operation == "delete_placement":
                    response = http.delete(path)
                else:
                    response = http.put(f"{path}/action", json={"action": self.param("action")})
        except httpx.HTTPError as exc:
            raise ExecutionError(f"sandbox API: {exc}", permanent=False) from exc
        if response.status_code >= 400:
            raise ExecutionError(
                f"sandbox API {response.status_code}: {response.text[:200]}",
                permanent=response.status_code < 500,
            )
        return ExecutionResult(detail={"status": response.status_code, "path": path})
