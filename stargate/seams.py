"""Seams to development tools a production image may leave out (the `simulator` package).

Production code never imports such a tool. A setting names the tool's entry point by dotted path
instead, empty when the tool is off, and the caller loads it here:

- `SHOWROOM_TRANSPORT_FACTORY` (`STARGATE_SHOWROOM_TRANSPORT_FACTORY`): a `ShowroomTransportFactory`
  for the showroom probes of `Cluster.simulated` clusters (`scanning.showroom.probe_client`);
- `DEMO_FLEET` (`STARGATE_DEMO_FLEET`): a callable returning the `DemoFleet` `serve` starts;
- `CLASSIFIER_EVAL_CASES` (`STARGATE_CLASSIFIER_EVAL_CASES`): a callable returning generated
  `(failure kind, evidence)` pairs, the labelled set of `manage.py eval_classifier`.

A path that is set but cannot be imported stops `manage.py check` (`stargate.E001`) and raises
`ImproperlyConfigured` naming the variable where it is used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

# The guarded transport of a simulated cluster's probes in, the transport to probe through out.
ShowroomTransportFactory = Callable[[httpx.BaseTransport], httpx.BaseTransport]

SEAMS = {
    "SHOWROOM_TRANSPORT_FACTORY": "STARGATE_SHOWROOM_TRANSPORT_FACTORY",
    "DEMO_FLEET": "STARGATE_DEMO_FLEET",
    "CLASSIFIER_EVAL_CASES": "STARGATE_CLASSIFIER_EVAL_CASES",
}


@dataclass(frozen=True)
class DemoService:
    """A helper process of the demo (`python <args>`, e.g. the simulated LLM endpoint) and the
    environment it gives every other process of the demo. Not started when the user already set
    `unless_set` (e.g. `STARGATE_LLM_API_BASE`: a real endpoint wins)."""

    args: list[str]
    environment: Mapping[str, str] = field(default_factory=dict)
    unless_set: str = ""


@dataclass(frozen=True)
class DemoFleet:
    """What `serve` runs for its demo: a `manage.py` command (its arguments after `manage.py`),
    the file that command writes once its clusters are registered (removed when it stops),
    environment defaults for every process of the demo (a variable already set wins), and
    helper services started before it."""

    command: list[str]
    ready_file: Path
    environment: Mapping[str, str] = field(default_factory=dict)
    services: Sequence[DemoService] = ()


def seam_load(setting: str) -> Any | None:
    """The object the setting names, or None when the setting is empty."""
    path = str(getattr(settings, setting, "") or "")
    if not path:
        return None
    try:
        return import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"{SEAMS[setting]}={path!r} cannot be imported: {exc}") from exc


def showroom_transport_factory() -> ShowroomTransportFactory | None:
    factory: ShowroomTransportFactory | None = seam_load("SHOWROOM_TRANSPORT_FACTORY")
    return factory


def demo_fleet() -> DemoFleet | None:
    """The demo fleet to start, or None when no demo fleet is configured."""
    starter: Callable[[], DemoFleet] | None = seam_load("DEMO_FLEET")
    return None if starter is None else starter()


def classifier_eval_cases() -> list[tuple[str, dict[str, Any]]]:
    """The generated labelled cases, or none when no generator is configured."""
    cases: Callable[[], list[tuple[str, dict[str, Any]]]] | None = seam_load(
        "CLASSIFIER_EVAL_CASES"
    )
    return [] if cases is None else cases()


def seams_importable(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """System check: every configured seam names something importable."""
    errors: list[CheckMessage] = []
    for setting, variable in SEAMS.items():
        try:
            seam_load(setting)
        except ImproperlyConfigured as exc:
            hint = f"Install the package it names, or set {variable} empty to turn it off."
            errors.append(Error(str(exc), hint=hint, id="stargate.E001"))
    return errors
