from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from remediation.catalog import Catalog, CatalogFileError, catalog_load
from remediation.models import RemediationAction
from remediation.services import catalog_apply


def catalog_rows(catalog: Catalog) -> list[dict[str, Any]]:
    rows = []
    for action in catalog.actions:
        data = action.model_dump(mode="json")
        data["action_id"] = data.pop("id")
        data["method"] = data["method"] or ""
        data["operation"] = data["operation"] or ""
        data["steps"] = list(data["steps"])
        data["allowed_when"] = list(data["allowed_when"])
        data["forbidden_when"] = list(data["forbidden_when"])
        rows.append(data)
    return rows


def catalog_diff(rows: list[dict[str, Any]]) -> list[str]:
    """One line per change the YAML would make to the database."""
    current = {action.action_id: action for action in RemediationAction.objects.all()}
    lines = []
    for row in rows:
        existing = current.pop(row["action_id"], None)
        if existing is None:
            lines.append(f"+ {row['action_id']}")
            continue
        for field, value in row.items():
            if getattr(existing, field) != value:
                lines.append(
                    f"~ {row['action_id']}.{field}: {getattr(existing, field)!r} → {value!r}"
                )
        if not existing.enabled:
            lines.append(f"~ {row['action_id']}.enabled: False → True")
    lines.extend(f"- {action_id} (disabled)" for action_id, a in current.items() if a.enabled)
    return lines


class Command(BaseCommand):
    help = "Validate remediations/catalog.yaml, show how the database differs, and apply it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="validate only (CI)")
        parser.add_argument("--dry-run", action="store_true", help="show the diff, apply nothing")
        parser.add_argument("--file", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"] or settings.REMEDIATIONS_DIR / "catalog.yaml"
        try:
            catalog = catalog_load(path)
        except (CatalogFileError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if options["check"]:
            self.stdout.write(f"{path}: {len(catalog.actions)} actions, valid")
            return
        rows = catalog_rows(catalog)
        diff = catalog_diff(rows)
        for line in diff:
            self.stdout.write(line)
        if not diff:
            self.stdout.write("catalog unchanged")
        elif not options["dry_run"]:
            catalog_apply(rows=rows)
            self.stdout.write(self.style.SUCCESS(f"applied {len(diff)} changes"))
