"""Remediation's periodic tasks, synced by `manage.py setup_remediation_schedules`."""

from __future__ import annotations

from django_q.models import Schedule

SCHEDULES: dict[str, tuple[str, int]] = {
    # name: (task, every N minutes)
    "remediation-remediate-labs": ("remediation.tasks.remediate_labs", 5),
    "remediation-expire-requests": ("remediation.tasks.expire_requests", 5),
    # Requests a killed worker left approved or executing (REMEDIATION_EXECUTION_TIMEOUT_MINUTES).
    "remediation-time-out-requests": ("remediation.tasks.time_out_requests", 5),
    # Safety net for verification checks whose one-off schedule was lost.
    "remediation-verify-due": ("remediation.tasks.verify_due", 1),
    # Approved requests and scans whose queued task Redis lost; runs a killed worker left.
    "remediation-recover-lost-work": ("remediation.tasks.recover_lost_work", 1),
}


def schedules_sync() -> list[str]:
    names = []
    for name, (func, minutes) in SCHEDULES.items():
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": Schedule.MINUTES,
                "minutes": minutes,
                "repeats": -1,
            },
        )
        names.append(name)
    return names
