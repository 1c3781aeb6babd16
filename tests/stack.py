"""StarGate as it runs across pods, on loopback: Daphne web processes and django-q2 clusters
(`manage.py qcluster`) as real processes on the test's PostgreSQL database and Redis.

Every process gets fixed argument lists (no shell), its own session (so a kill reaches its
children: a qcluster's workers), the test database's name, the test's secret key (sessions and
signed task payloads), and one Redis key prefix of its own, which is also the django-q2 queue
name (settings: `Q_CLUSTER["name"]`). `Stack.stop()` stops everything, whatever happened.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited: {log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}: {log.read_text()[-3000:]}")


def wait_until(predicate: Any, timeout: float, what: str, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def stack_env(directory: Path, prefix: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARGATE_")}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    db_url = os.environ["STARGATE_DATABASE_URL"].rsplit("/", 1)[0]
    env["DJANGO_SETTINGS_MODULE"] = "stargate.settings"
    env.update(
        STARGATE_DATABASE_URL=f"{db_url}/{connection.settings_dict['NAME']}",
        STARGATE_REDIS_URL=os.environ["STARGATE_REDIS_URL"],
        STARGATE_REDIS_PREFIX=prefix,
        STARGATE_SECRET_KEY=str(settings.SECRET_KEY),
        STARGATE_DATA_DIR=str(directory / "data"),
        STARGATE_CREDENTIALS_DIR=str(directory),
        STARGATE_WORKERS="1",
    )
    env.update(extra)
    return env


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if self.port is not None:
            wait_for_port(self.port, self.popen, self.log)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> set[int]:
        """This process and its children (a qcluster's sentinel, workers, monitor, pusher)."""
        assert self.popen is not None
        pgid = self.popen.pid
        found = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    found.add(int(entry.name))
            except ProcessLookupError:
                continue
        return found

    def kill(self) -> None:
        """SIGKILL the whole process group, as a pod killed by the node."""
        self._signal(signal.SIGKILL)
        self._reap()

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            self._signal(signal.SIGKILL)  # children left behind by a dead leader
            return
        self._signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)
        self._signal(signal.SIGKILL)
        self._reap()

    def _signal(self, signum: int) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)

    def _reap(self) -> None:
        if self.popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=10)


@dataclass
class Stack:
    directory: Path
    prefix: str = field(default_factory=lambda: f"sgproc{uuid.uuid4().hex[:10]}")
    processes: list[Process] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self, **extra: str) -> dict[str, str]:
        return stack_env(self.directory, self.prefix, **{**self.extra_env, **extra})

    def web(self, port: int | None = None) -> Process:
        """A Daphne web process (the test settings: the test's password hasher)."""
        port = port or free_port()
        command = [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "stargate.asgi:application",
        ]
        env = self.env(DJANGO_SETTINGS_MODULE="stargate.settings_test")
        name = f"web-{port}"
        process = Process(name, command, env, self.directory / f"{name}.log", port=port)
        self.processes.append(process)
        return process.start()

    def worker(self) -> Process:
        """A django-q2 cluster (`manage.py qcluster`), one worker process: a worker pod."""
        name = f"worker-{len(self.processes)}"
        command = [sys.executable, "manage.py", "qcluster"]
        process = Process(name, command, self.env(), self.directory / f"{name}.log")
        self.processes.append(process)
        return process.start()

    def run(self, *args: str) -> None:
        """A one-off process of this install (a worker's job): `python <args>`."""
        command = [sys.executable, *args]
        subprocess.run(command, cwd=ROOT, env=self.env(), check=True, timeout=60)

    def restart(self, process: Process) -> Process:
        process.stop()
        return process.start()

    def stop(self) -> None:
        for process in self.processes:
            process.stop()

    def redis_keys(self) -> list[bytes]:
        import redis

        client = redis.Redis.from_url(os.environ["STARGATE_REDIS_URL"])
        return list(client.scan_iter(match=f"*{self.prefix}*"))

    def redis_lose(self) -> int:
        """Everything this install holds in Redis is gone, as with a Redis restarted empty."""
        import redis

        client = redis.Redis.from_url(os.environ["STARGATE_REDIS_URL"])
        keys = self.redis_keys()
        return int(client.delete(*keys)) if keys else 0

    def logs(self) -> str:
        return "\n".join(f"== {p.name}\n{p.log.read_text()[-4000:]}" for p in self.processes)


@contextmanager
def stack(directory: Path, **extra_env: str) -> Iterator[Stack]:
    running = Stack(directory, extra_env=extra_env)
    try:
        yield running
    except BaseException:
        print(running.logs())
        raise
    finally:
        running.stop()
        running.redis_lose()


@contextmanager
def queue_to(prefix: str) -> Iterator[None]:
    """In this (test) process, `async_task` queues to the stack's Redis queue instead of running
    inline (the test settings run tasks synchronously)."""
    from django_q.conf import Conf

    saved = (Conf.SYNC, Conf.PREFIX, Conf.CLUSTER_NAME)
    Conf.SYNC, Conf.PREFIX, Conf.CLUSTER_NAME = False, prefix, prefix
    try:
        yield
    finally:
        Conf.SYNC, Conf.PREFIX, Conf.CLUSTER_NAME = saved
