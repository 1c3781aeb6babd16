"""Each collector's settings: `settings.COLLECTORS[<source>]` when defined, else the environment.

Credentials come from `STARGATE_<SOURCE>_<NAME>` or the file named by `..._FILE` (a mounted
secret); they are read when a cycle starts and never stored. A services manifest
(`STARGATE_COLLECTORS_MANIFEST`, JSON: `{"services": {name: {kind, url, ...credentials}},
"agnosticv": {url, branch}}`) configures every source at once: the demo points it at the file the
service simulators write (`<data dir>/simulator/services.json`). Explicit settings win.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from stargate.lib.env import envsecret

from .models import SourceName

# source -> (interval seconds, timeout seconds): platform-contracts defaults
DEFAULTS: dict[str, tuple[int, float]] = {
    SourceName.BABYLON: (180, 30.0),
    SourceName.LABAGATOR: (120, 15.0),
    SourceName.LAUNCHPAD: (120, 15.0),
    SourceName.AAP: (300, 30.0),
    SourceName.DEMOLITION: (120, 15.0),
    SourceName.SANDBOX_API: (300, 10.0),
    SourceName.AGNOSTICV: (600, 120.0),
    SourceName.ZEROTOUCH: (300, 15.0),
    SourceName.CLUSTER_SCHEDULER: (300, 10.0),
    SourceName.PROMETHEUS: (1800, 15.0),
    SourceName.ALERTMANAGER: (300, 15.0),
}
# plain options and secret options read from STARGATE_<SOURCE>_<OPTION>
ENV_OPTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    SourceName.LABAGATOR: (("url", "auth_header", "event_id"), ("auth_token",)),
    SourceName.LAUNCHPAD: (("url",), ("api_key",)),
    SourceName.DEMOLITION: (("url", "auth_header"), ("auth_token",)),
    SourceName.SANDBOX_API: (("url", "metrics_url"), ("login_token",)),
    SourceName.AGNOSTICV: (("url", "branch"), ("token",)),
    SourceName.ZEROTOUCH: (("url", "workshops"), ()),
    SourceName.CLUSTER_SCHEDULER: (("url",), ("token",)),
}


@dataclass(frozen=True)
class SourceSettings:
    name: str
    interval_seconds: int
    timeout: float
    retries: int = 2  # attempts after the first
    backoff_seconds: float = 1.0  # doubled after each failed attempt
    verify_tls: bool = True
    ca_bundle: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    def option(self, key: str, default: Any = "") -> Any:
        value = self.options.get(key)
        return default if value in (None, "") else value

    @property
    def configured(self) -> bool:
        return configured(self)

    @property
    def verify(self) -> bool | str:
        if not self.verify_tls:
            return False
        return self.ca_bundle or True


def source_settings(name: str) -> SourceSettings:
    interval, timeout = DEFAULTS[name]
    explicit = dict((getattr(settings, "COLLECTORS", None) or {}).get(name) or {})
    options = {**_from_manifest(name), **_from_env(name), **explicit}
    return SourceSettings(
        name=name,
        interval_seconds=int(options.pop("interval_seconds", interval)),
        timeout=float(options.pop("timeout", timeout)),
        retries=int(options.pop("retries", getattr(settings, "COLLECTORS_RETRIES", 2))),
        backoff_seconds=float(
            options.pop("backoff_seconds", getattr(settings, "COLLECTORS_BACKOFF_SECONDS", 1.0))
        ),
        verify_tls=bool(options.pop("verify_tls", True)),
        ca_bundle=str(options.pop("ca_bundle", "")),
        options=options,
    )


def configured(source: SourceSettings) -> bool:
    """Whether the source has what it needs to run (Babylon always: it reads the hubs)."""
    name, opts = source.name, source.options
    if name == SourceName.BABYLON:
        return bool(opts.get("enabled", True))
    if name == SourceName.AAP:
        return any(
            c.get("url") and (c.get("password") or c.get("token")) for c in controllers(opts)
        )
    if name == SourceName.PROMETHEUS:
        return bool(opts.get("clusters"))
    if name == SourceName.ALERTMANAGER:
        return bool(opts.get("targets"))
    if name == SourceName.SANDBOX_API:
        return bool(opts.get("metrics_url") or opts.get("url"))
    if name == SourceName.LAUNCHPAD:  # the fallback: only when Labagator is not configured
        return bool(opts.get("url")) and not source_settings(SourceName.LABAGATOR).option("url")
    return bool(opts.get("url"))


def controllers(options: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(c) for c in options.get("controllers") or []]


def event_prefix() -> str:
    return str(
        getattr(settings, "COLLECTORS_EVENT_PREFIX", "")
        or os.environ.get("STARGATE_EVENT_PREFIX", "")
    )


def session_length_hours() -> float:
    """A session's length when its source gives no end (`STARGATE_SESSION_LENGTH_HOURS`)."""
    value = getattr(settings, "SESSION_LENGTH_HOURS", None)
    if value is None:
        value = os.environ.get("STARGATE_SESSION_LENGTH_HOURS", "4")
    return float(value)


def _from_env(name: str) -> dict[str, Any]:
    plain, secret = ENV_OPTIONS.get(name, ((), ()))
    prefix = f"STARGATE_{name.upper()}_"
    found: dict[str, Any] = {}
    for key in plain:
        value = os.environ.get(prefix + key.upper())
        if value:
            found[key] = value
    for key in secret:
        value = envsecret(prefix + key.upper(), "")
        if value:
            found[key] = value
    if name == SourceName.AAP:
        found.update(_aap_from_env())
    return found


def _aap_from_env() -> dict[str, Any]:
    """`STARGATE_AAP_CONTROLLERS=event0,event1` and, per name, `STARGATE_AAP_<NAME>_URL`, `_USER`
    (default monitor), `_PASSWORD` or `_TOKEN` (each with a `_FILE` variant)."""
    names = [n.strip() for n in os.environ.get("STARGATE_AAP_CONTROLLERS", "").split(",")]
    found = []
    for name in filter(None, names):
        prefix = f"STARGATE_AAP_{name.upper()}_"
        found.append(
            {
                "name": name,
                "url": os.environ.get(prefix + "URL", ""),
                "user": os.environ.get(prefix + "USER", "monitor"),
                "password": envsecret(prefix + "PASSWORD", ""),
                "token": envsecret(prefix + "TOKEN", ""),
            }
        )
    return {"controllers": found} if found else {}


def manifest_path() -> Path | None:
    path = getattr(settings, "COLLECTORS_MANIFEST", None) or os.environ.get(
        "STARGATE_COLLECTORS_MANIFEST", ""
    )
    if not path and getattr(settings, "SIMULATOR_ENABLED", False):
        path = str(Path(settings.DATA_DIR) / "simulator" / "services.json")
    return Path(path) if path else None


def _from_manifest(name: str) -> dict[str, Any]:
    path = manifest_path()
    if path is None or not path.is_file():
        return {}
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    services: dict[str, dict[str, Any]] = manifest.get("services") or {}
    return manifest_options(name, services, manifest.get("agnosticv") or {})


def manifest_options(
    name: str, services: dict[str, dict[str, Any]], agnosticv: dict[str, Any]
) -> dict[str, Any]:
    """A source's options out of a services manifest (the simulators' `services.json`)."""
    by_kind: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for service, entry in services.items():
        by_kind.setdefault(str(entry.get("kind", service)), []).append((service, entry))
    if name == SourceName.AGNOSTICV:
        return dict(agnosticv)
    if name == SourceName.AAP:
        return {
            "controllers": [
                {"name": key.removeprefix("aap-"), **_without_kind(entry)}
                for key, entry in by_kind.get("aap", [])
            ]
        }
    if name in (SourceName.PROMETHEUS, SourceName.ALERTMANAGER):
        entries = [
            (key.removeprefix("prometheus-"), entry) for key, entry in by_kind.get("prometheus", [])
        ]
        if name == SourceName.PROMETHEUS:
            return {"clusters": {c: _without_kind(e) for c, e in entries}}
        return {"targets": [{"cluster": c, **_without_kind(e)} for c, e in entries]}
    own = services.get(name)
    return _without_kind(own) if own else {}


def _without_kind(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != "kind"}
