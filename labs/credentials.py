"""Checks on a cluster's connection settings, run by `Cluster.clean()` (the admin shows them)
and again by the scanner's client before it connects.

A token is only ever read from a file under `settings.CREDENTIALS_DIR` and sent over https
(plain http only for a cluster marked `insecure_lab`); a kubeconfig must be a well-formed
kubeconfig under the same directory, whose servers are https and whose users run no command
(`exec` or an auth-provider `cmd-path`) unless `settings.KUBECONFIG_EXEC_ALLOWED`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

import yaml
from django.conf import settings


class CredentialsError(ValueError):
    """A connection setting StarGate refuses; `field` names the Cluster field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Connection(Protocol):
    @property
    def api_url(self) -> str: ...
    @property
    def kubeconfig_path(self) -> str: ...
    @property
    def token_file(self) -> str: ...


def credentials_dir() -> Path:
    return Path(settings.CREDENTIALS_DIR).resolve()


def credential_path(path: str, field: str) -> Path:
    """`path` (relative ones are taken from the credentials directory), refused when it is
    not under the credentials directory once links are followed."""
    root = credentials_dir()
    resolved = (root / path).resolve()
    if not resolved.is_relative_to(root):
        raise CredentialsError(field, f"{path} is not under the credentials directory {root}")
    return resolved


def insecure_lab(cluster: object) -> bool:
    return bool(getattr(cluster, "insecure_lab", False))


def url_check(url: str, *, insecure: bool, field: str) -> None:
    scheme = urlparse(url).scheme
    if scheme == "https" or (scheme == "http" and insecure):
        return
    allowed = "https (or http for an insecure lab cluster)" if not insecure else "http(s)"
    raise CredentialsError(field, f"{url!r} must use {allowed}")


def kubeconfig_read(path: Path, *, insecure: bool) -> dict[str, Any]:
    """The parsed kubeconfig, or `CredentialsError` naming what is wrong with it."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CredentialsError("kubeconfig_path", f"{path} cannot be read: {exc}") from exc
    if not isinstance(document, dict):
        raise CredentialsError("kubeconfig_path", f"{path} is not a kubeconfig (a mapping)")
    for section, body in (("clusters", "cluster"), ("users", "user"), ("contexts", "context")):
        entries = document.get(section) or []
        if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get(body) or {}, dict) for e in entries
        ):
            raise CredentialsError(
                "kubeconfig_path", f"{path}: {section} must be a list of named {body} mappings"
            )
    for entry in document.get("clusters") or []:
        url_check(
            str(entry["cluster"].get("server", "")), insecure=insecure, field="kubeconfig_path"
        )
    if not settings.KUBECONFIG_EXEC_ALLOWED:
        for entry in document.get("users") or []:
            _no_command(entry.get("user") or {}, path)
    return document


def _no_command(user: dict[str, Any], path: Path) -> None:
    provider = user.get("auth-provider") or {}
    runs = "exec" in user or (
        isinstance(provider, dict) and "cmd-path" in (provider.get("config") or {})
    )
    if runs:
        raise CredentialsError(
            "kubeconfig_path",
            f"{path}: credential plugins that run a command are refused "
            "(STARGATE_KUBECONFIG_EXEC_ALLOWED=false)",
        )


def connection_check(cluster: Connection) -> None:
    """Raise `CredentialsError` on the first connection setting StarGate refuses."""
    insecure = insecure_lab(cluster)
    url_check(cluster.api_url, insecure=insecure, field="api_url")
    if cluster.kubeconfig_path:
        kubeconfig_read(
            credential_path(cluster.kubeconfig_path, "kubeconfig_path"), insecure=insecure
        )
    elif cluster.token_file:
        credential_path(cluster.token_file, "token_file")
