"""Re-redact stored evidence, evidence revisions and scan errors with the rules that now also
mask env-style `NAME=value` secrets, JWTs, PEM blocks and token shapes in free text."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from stargate.lib.reredact import rows_reredact


def reredact(apps: Any, schema_editor: Any) -> None:
    rows_reredact(apps.get_model("scanning", "LabEvidence").objects.all(), evidence=("evidence",))
    rows_reredact(
        apps.get_model("scanning", "EvidenceRevision").objects.all(), evidence=("evidence",)
    )
    rows_reredact(apps.get_model("scanning", "ScanRun").objects.all(), text=("errors",))


class Migration(migrations.Migration):
    dependencies = [("scanning", "0001_initial")]

    operations = [migrations.RunPython(reredact, migrations.RunPython.noop, elidable=True)]
