"""Re-redact what remediation stored from the cluster: request evidence snapshots, results and
errors, and the audit log's results and errors (the audit rows are kept, only masked)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from stargate.lib.reredact import rows_reredact


def reredact(apps: Any, schema_editor: Any) -> None:
    rows_reredact(
        apps.get_model("remediation", "ActionRequest").objects.all(),
        evidence=("evidence",),
        text=("result", "error", "reason"),
    )
    rows_reredact(
        apps.get_model("remediation", "AuditEntry").objects.all(), text=("result", "error")
    )


class Migration(migrations.Migration):
    dependencies = [("remediation", "0006_auditentry_events_merged")]

    operations = [migrations.RunPython(reredact, migrations.RunPython.noop, elidable=True)]
