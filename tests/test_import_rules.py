"""The import rules of README "Layout" hold: import-linter's contracts in pyproject.toml.

A contract that names a package this checkout does not have yet (`dashboard`, `simulator`)
is skipped, with the package left out of the graph, so the rules already in force are checked.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
APPS = (
    "stargate",
    "labs",
    "scanning",
    "rubrics_app",
    "remediation",
    "forecasting",
    "collectors",
    "recommendations",
)
FUTURE = ("dashboard", "simulator")


def _present(package: str) -> bool:
    return importlib.util.find_spec(package) is not None


def _names(contract: dict[str, Any]) -> set[str]:
    """Top-level packages a contract names (layers may be optional, in parentheses)."""
    values: list[str] = []
    for key in ("layers", "source_modules", "forbidden_modules", "modules", "apps"):
        values.extend(str(v) for v in contract.get(key, []))
    words = {w for v in values for w in v.replace(":", " ").replace("|", " ").split()}
    return {w.split(".")[0] for w in words if not w.startswith("(")}  # "(x)": optional


def _ini(key: str, value: Any) -> str:
    if isinstance(value, list):
        return f"{key} =" + "".join(f"\n    {item}" for item in value)
    return f"{key} = {value}"


def _config(path: Path) -> list[str]:
    """pyproject's import-linter config as an INI file, without what this checkout lacks;
    returns the ids of the contracts left out."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    session = dict(config["tool"]["importlinter"])
    contracts = session.pop("contracts")
    absent = {p for p in FUTURE if not _present(p)}
    kept = [c for c in contracts if not _names(c) & absent]
    session["root_packages"] = [p for p in session["root_packages"] if _present(p)]
    session["root_packages"] += [p for p in FUTURE if p not in absent]
    sections = ["[importlinter]", *(_ini(k, v) for k, v in session.items())]
    for contract in kept:
        options = {k: v for k, v in contract.items() if k != "id"}
        sections += ["", f"[importlinter:contract:{contract['id']}]"]
        sections += [_ini(k, v) for k, v in options.items()]
    path.write_text("\n".join(sections) + "\n", encoding="utf-8")
    return [c["id"] for c in contracts if c not in kept]


def test_the_import_contracts_are_kept(tmp_path: Path) -> None:
    """Run as `lint-imports` in its own process (the test process has Django and Twisted
    loaded, whose class patches import-linter's option checks trip on)."""
    skipped = _config(tmp_path / "importlinter.ini")
    assert set(skipped) <= {"no-simulator"}, skipped  # enabled once `simulator` exists
    command = [str(Path(sys.executable).parent / "lint-imports")]
    command += [str(tmp_path / "importlinter.ini"), "--no-cache", "--no-logo"]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_module_imports_another_modules_private_name() -> None:
    """`from remediation.services import _audit` across modules hides a public function."""
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if {"tests", "migrations"} & set(path.relative_to(ROOT).parts):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    private = [a.name for a in node.names if a.name.startswith("_")]
                    if private and not all(n.startswith("__") for n in private):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {private}")
    assert found == []
