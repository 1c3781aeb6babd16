"""django-q2 entry points: thin, take ids."""

from __future__ import annotations

from remediation import execution, services, timeouts, verification


def execute_action(action_request_id: int) -> str:
    request = execution.action_execute(action_request_id=action_request_id)
    if request is None:
        return f"request {action_request_id}: already claimed, or refused by a session"
    verification.verification_schedule(action_request=request)
    return f"request {action_request_id}: {request.status}"


def verify_action(action_request_id: int) -> str:
    request = verification.action_verify(action_request_id=action_request_id)
    return f"request {action_request_id}: recovered={request.recovered}"


def verify_due() -> str:
    return f"{len(verification.verifications_due())} verification checks"


def expire_requests() -> str:
    return f"{services.action_requests_expire()} expired"


def time_out_requests() -> str:
    return f"{timeouts.action_requests_time_out()} timed out"


def recover_lost_work() -> str:
    """Queue again what a lost Redis or a killed worker dropped (remediation.recovery)."""
    from remediation.recovery import lost_work_recover

    return str(lost_work_recover())


def remediate_labs() -> str:
    """Propose or run remediations for the failed verdicts the dashboard shows."""
    from remediation.proposals import labs_remediate_from_verdicts

    result = labs_remediate_from_verdicts()
    summary = f"{len(result.requests)} requests"
    if result.failed_lab_ids:
        summary += f", {len(result.failed_lab_ids)} labs failed (see the log)"
    return summary
