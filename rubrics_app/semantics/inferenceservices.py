"""KServe InferenceService semantics: Ready and PredictorReady."""

from __future__ import annotations

from stargate.lib.evidence import KubeObject

from .common import Health, ObjectHealth, condition, false_since, health


def _load_failure(isvc: KubeObject) -> str:
    model = isvc.get("status", {}).get("modelStatus") or {}
    if (model.get("states") or {}).get("activeModelState") == "FailedToLoad":
        return "ModelLoadFailed"
    if model.get("lastFailureInfo"):
        return str(model["lastFailureInfo"].get("reason") or "ModelLoadFailed")
    return ""


def inferenceservice_health(isvc: KubeObject) -> ObjectHealth:
    ready, predictor = condition(isvc, "Ready"), condition(isvc, "PredictorReady")
    conds = [c for c in (ready, predictor) if c is not None]
    if conds and all(c.get("status") == "True" for c in conds) and ready is not None:
        return health(isvc, Health.READY)
    message = str((ready or {}).get("message", ""))
    if failure := _load_failure(isvc):
        return health(isvc, Health.FAILED, failure, message)
    for cond in conds:
        reason = str(cond.get("reason", ""))
        if cond.get("status") == "False" and ("Failed" in reason or "Error" in reason):
            return health(isvc, Health.FAILED, reason, message)
    # Since the first condition not True went so (a True Ready says nothing of PredictorReady).
    down = next((c for c in conds if c.get("status") != "True"), None)
    since = false_since(down, isvc) if down is not None or ready is None else None
    return health(isvc, Health.PROGRESSING, "NotReady", message, since=since)
