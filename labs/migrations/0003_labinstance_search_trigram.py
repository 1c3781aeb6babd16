"""Trigram indexes for the labs table's search (a substring of the GUID or the namespace).

PostgreSQL only: `TrigramExtension` does nothing on other databases, and neither do the indexes,
so the embedded SQLite mode migrates as before (its search scans a small table).
"""

from __future__ import annotations

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import ProjectState, StateApps

INDEXES = {"labinstance_guid_trgm": "guid", "labinstance_namespace_trgm": "namespace"}


class PostgresTrigramExtension(TrigramExtension):  # type: ignore[misc]  # untyped operation
    """TrigramExtension, a no-op backwards too on other databases (Django guards forwards only)."""

    def database_backwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, *states: ProjectState
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *states)


def create_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON labs_labinstance "
            f"USING gin ({column} gin_trgm_ops)"
        )


def drop_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("labs", "0002_liveevent"),
    ]

    operations = [
        PostgresTrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
