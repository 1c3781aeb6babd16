"""`manage.py export_rules [--output FILE] [--catalog FILE]`: the active promoted rules, written
where the rubric loader reads them (`<RUBRICS_DIR>/classification_rules.yaml`), so the reviewed
source lives in git and a new install loads them. `--catalog` also adds each promoted novel
class's diagnostic action to the remediation catalog file, keeping the two in step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from rubrics_app.classification.rules import diagnostic_actions_for, rules_export
from rubrics_app.loader import CLASSIFICATION_RULES_FILE
from rubrics_app.models import ClassificationRule


class Command(BaseCommand):
    help = "Write the active classification rules to the YAML file the rubric loader reads."

    def add_arguments(self, parser: CommandParser) -> None:
        default = Path(settings.RUBRICS_DIR) / CLASSIFICATION_RULES_FILE
        parser.add_argument("--output", type=Path, default=default)
        parser.add_argument("--catalog", type=Path, help="remediation catalog to add to")

    def handle(self, *args: Any, **options: Any) -> None:
        count = rules_export(options["output"])
        self.stdout.write(f"{count} rules written to {options['output']}")
        catalog: Path | None = options.get("catalog")
        if catalog is None:
            return
        novel = sorted(
            set(
                ClassificationRule.objects.filter(
                    status=ClassificationRule.Status.ACTIVE, novel=True
                ).values_list("failure_class", flat=True)
            )
        )
        text = catalog.read_text(encoding="utf-8")
        present = {a["id"] for a in (yaml.safe_load(text) or {}).get("actions", [])}
        missing = [a for a in diagnostic_actions_for(novel) if a["id"] not in present]
        if missing:
            block = yaml.safe_dump(missing, sort_keys=False)
            catalog.write_text(text.rstrip("\n") + "\n" + block, encoding="utf-8")
        self.stdout.write(f"{len(missing)} diagnostic actions added to {catalog}")
