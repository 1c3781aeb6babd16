"""Re-redact verdicts and state changes: reasons, criteria, evidence excerpts and memories
quote messages from the cluster."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from stargate.lib.reredact import rows_reredact


def reredact(apps: Any, schema_editor: Any) -> None:
    rows_reredact(
        apps.get_model("rubrics_app", "Evaluation").objects.all(),
        text=("reason", "criteria", "evidence_excerpt", "progress_memory"),
    )
    rows_reredact(apps.get_model("rubrics_app", "StateChange").objects.all(), text=("reason",))


class Migration(migrations.Migration):
    dependencies = [("rubrics_app", "0001_initial")]

    operations = [migrations.RunPython(reredact, migrations.RunPython.noop, elidable=True)]
