"""A production image leaves the `simulator` package out: no production module imports it, and
StarGate imports, checks and configures itself without it. Each case runs in a subprocess whose
import system refuses `simulator` (as if the folder were absent, whatever `sys.path` holds)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_PACKAGES = (
    "stargate",
    "labs",
    "scanning",
    "rubrics_app",
    "remediation",
    "forecasting",
    "incidents",
    "dashboard",
    "metrics",
)
NOT_PRODUCTION = {"stargate.settings_test"}
STRONG_KEY = "k7#Qz!9vR2@mW5$xT8^pL3&nB6*cF1(hJ4)dG0_sY-a+e=iU{o}"

HIDE_SIMULATOR = """
import importlib.abc, sys

class HideSimulator(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "simulator" or name.startswith("simulator."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, HideSimulator())
try:
    import simulator
except ModuleNotFoundError:
    pass
else:
    raise SystemExit("the simulator is not hidden")
"""


def production_modules() -> list[str]:
    """Every module of the production packages (migrations and commands included, tests not)."""
    names = []
    for package in PRODUCTION_PACKAGES:
        for path in sorted((BASE_DIR / package).rglob("*.py")):
            parts = path.relative_to(BASE_DIR).with_suffix("").parts
            if "tests" in parts or not (BASE_DIR.joinpath(*parts[:-1]) / "__init__.py").exists():
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            if name not in NOT_PRODUCTION:
                names.append(name)
    return names


def run(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`script` after the simulator is hidden, with only the given StarGate variables set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("STARGATE_", "DJANGO_"))}
    clean["DJANGO_SETTINGS_MODULE"] = "stargate.settings"
    return subprocess.run(
        [sys.executable, "-c", HIDE_SIMULATOR + script],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "STARGATE_MODE": "production",
        "STARGATE_SECRET_KEY": STRONG_KEY,
        "STARGATE_ALLOWED_HOSTS": "stargate.example.com",
        # Never connected to: importing and checking need no database or Redis.
        "STARGATE_DATABASE_URL": "postgres://stargate@127.0.0.1:1/stargate",
        "STARGATE_REDIS_URL": "redis://127.0.0.1:1/0",
        "STARGATE_DATA_DIR": str(tmp_path / "data"),
        **extra,
    }


def simulator_imports(path: Path) -> list[str]:
    """The `simulator` modules this source file imports (statements, or by a literal name)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = node.func
            called = getattr(function, "attr", None) or getattr(function, "id", None)
            if called in {"import_module", "import_string", "__import__"}:
                found.append(str(node.args[0].value))
    return [name for name in found if name == "simulator" or name.startswith("simulator.")]


def test_no_production_module_imports_the_simulator() -> None:
    modules = production_modules()
    offenders = {
        name: imported for name in modules if (imported := simulator_imports(module_path(name)))
    }

    assert len(modules) > 100  # guards the walk: an empty list would prove nothing
    assert offenders == {}


def test_the_import_finder_sees_a_lazy_import(tmp_path: Path) -> None:
    source = tmp_path / "lazy.py"
    source.write_text("def f():\n    from simulator.registry import simulator_dir\n")

    assert simulator_imports(source) == ["simulator.registry"]


def module_path(name: str) -> Path:
    path = BASE_DIR.joinpath(*name.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def test_production_imports_every_module_and_passes_its_deploy_checks(tmp_path: Path) -> None:
    script = f"""
import importlib, django
django.setup()
for name in {production_modules()!r}:
    importlib.import_module(name)
from django.conf import settings
from django.core.management import call_command
call_command("check", deploy=True, fail_level="ERROR")
from labs.models import Cluster
from scanning.probe_guard import GuardedTransport
from scanning.showroom import probe_client
from stargate.seams import demo_fleet
simulated = Cluster(name="sim-01", api_url="https://127.0.0.1:6443", simulated=True)
assert isinstance(probe_client(simulated)._transport, GuardedTransport)
assert demo_fleet() is None
assert "simulator" not in settings.INSTALLED_APPS
assert not [m for m in sys.modules if m.split(".")[0] == "simulator"]
print("production runs without the simulator")
"""
    result = run(script, **production_env(tmp_path))

    assert result.returncode == 0, result.stderr[-3000:]
    assert "production runs without the simulator" in result.stdout


def test_embedded_mode_turns_the_simulator_off_when_it_is_missing(tmp_path: Path) -> None:
    script = """
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
call_command("check", fail_level="ERROR")
assert not settings.SIMULATOR_ENABLED and "simulator" not in settings.INSTALLED_APPS
assert settings.SHOWROOM_TRANSPORT_FACTORY == settings.DEMO_FLEET == ""
print("embedded runs without the simulator")
"""
    result = run(script, STARGATE_DATA_DIR=str(tmp_path / "data"))

    assert result.returncode == 0, result.stderr[-3000:]
    assert "embedded runs without the simulator" in result.stdout


def test_enabling_a_missing_simulator_stops_the_start_naming_the_variable(tmp_path: Path) -> None:
    env = production_env(tmp_path, STARGATE_SIMULATOR_ENABLED="true")

    result = run("import django\ndjango.setup()\n", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "STARGATE_SIMULATOR_ENABLED=true, but this installation has no simulator" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("variable", "path"),
    [
        ("STARGATE_SHOWROOM_TRANSPORT_FACTORY", "simulator.seams.showroom_transport"),
        ("STARGATE_DEMO_FLEET", "simulator.seams.demo_fleet"),
    ],
)
def test_a_seam_naming_a_missing_package_fails_the_checks(
    tmp_path: Path, variable: str, path: str
) -> None:
    script = """
import django
django.setup()
from django.core.management import call_command
call_command("check", fail_level="ERROR")
"""
    result = run(script, **production_env(tmp_path, **{variable: path}))

    assert result.returncode != 0
    assert "stargate.E001" in result.stderr
    assert f"{variable}={path!r} cannot be imported" in result.stderr
