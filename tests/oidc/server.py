"""Start the test OpenID Connect provider (provider.mjs, npm oidc-provider) on loopback."""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

HERE = Path(__file__).parent
CLIENT_ID = "stargate"
CLIENT_SECRET = "stargate-test-secret"
START_TIMEOUT = 20.0


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    users_file: Path

    def set_users(self, users: dict[str, dict[str, object]]) -> None:
        """Replace the provider's accounts; it reads the file on every lookup."""
        self.users_file.write_text(json.dumps(users))


@contextmanager
def running_provider(*, redirect_uri: str, users_file: Path) -> Iterator[OidcProvider]:
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError(f"run `npm ci --prefix {HERE}` first (scripts/test.sh does)")
    if not users_file.exists():
        users_file.write_text("{}")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": redirect_uri,
        "OIDC_USERS_FILE": str(users_file),
    }
    process = subprocess.Popen(
        ["node", str(HERE / "provider.mjs")],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        issuer = _wait_for_discovery(process)
        yield OidcProvider(issuer=issuer, users_file=users_file)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_discovery(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    # The provider prints its issuer once it listens; readline returns "" if it died first.
    ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
    line = process.stdout.readline() if ready else ""
    if not line:
        raise RuntimeError(f"the OIDC provider did not start (exit code {process.poll()})")
    issuer = str(json.loads(line)["issuer"])
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            response = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
            if response.status_code == 200 and response.json()["issuer"] == issuer:
                return issuer
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"no discovery document at {issuer} after {START_TIMEOUT} s")
        time.sleep(0.1)
