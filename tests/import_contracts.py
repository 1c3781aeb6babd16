"""An import-linter contract type for StarGate's app boundaries (see README "Layout").

A module of one app may import from another app only that app's `models` (foreign keys and
types), `services`, `selectors`, or a module the app declares public. Tests and migrations
are exempt: they may reach into anything.
"""

from __future__ import annotations

from typing import Any

import grimp
from importlinter import Contract, ContractCheck, fields, output

ALWAYS_PUBLIC = ("models", "services", "selectors")
EXEMPT_PARTS = frozenset({"tests", "migrations"})


class AppBoundariesContract(Contract):
    """Options: `apps` (the packages it guards), `public_modules` (modules, with their
    descendants, that other apps may import besides models/services/selectors),
    `ignore_imports` ("importer -> imported" pairs, each with the reason in pyproject)."""

    type_name = "app_boundaries"

    apps = fields.ListField(subfield=fields.StringField())
    public_modules = fields.ListField(subfield=fields.StringField(), required=False)
    ignore_imports = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        apps = {str(app) for app in self.apps}  # type: ignore[attr-defined]
        public = [str(m) for m in self.public_modules or []]  # type: ignore[attr-defined]
        ignored = {str(i).replace(" ", "") for i in self.ignore_imports or []}  # type: ignore[attr-defined]
        crossings: list[dict[str, Any]] = []
        for importer in sorted(graph.modules):
            app = importer.split(".")[0]
            if app not in apps or EXEMPT_PARTS & set(importer.split(".")):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                other = imported.split(".")[0]
                if other == app or other not in apps or _allowed(imported, public):
                    continue
                if f"{importer}->{imported}" in ignored:
                    continue
                details = graph.get_import_details(importer=importer, imported=imported)
                lines = [d["line_number"] for d in details]
                crossings.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(kept=not crossings, metadata={"crossings": crossings})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for crossing in check.metadata["crossings"]:
            lines = ", ".join(f"l.{n}" for n in crossing["lines"])
            output.print_error(
                f"{crossing['importer']} -> {crossing['imported']} ({lines}): not a public "
                "module of that app (models, services, selectors or declared public)",
                bold=False,
            )
        output.new_line()


def _allowed(imported: str, public: list[str]) -> bool:
    parts = imported.split(".")
    if len(parts) > 1 and parts[1] in ALWAYS_PUBLIC:
        return True
    return any(imported == m or imported.startswith(f"{m}.") for m in public)
