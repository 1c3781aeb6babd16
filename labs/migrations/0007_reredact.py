"""Re-redact the last error stored on each cluster (the cluster's own error text)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from stargate.lib.reredact import rows_reredact


def reredact(apps: Any, schema_editor: Any) -> None:
    rows_reredact(apps.get_model("labs", "Cluster").objects.all(), text=("last_error",))


class Migration(migrations.Migration):
    dependencies = [("labs", "0006_cluster_probe_scope_and_credentials")]

    operations = [migrations.RunPython(reredact, migrations.RunPython.noop, elidable=True)]
