"""`manage.py watch_clusters`: watch mode for every enabled cluster, until stopped.

Each cluster gets a `scanning.watch.ClusterWatcher` in a thread of its own. The cluster list is
re-read every `--refresh` seconds: new clusters are watched, disabled or deleted ones dropped,
and a cluster whose API address or credentials changed is watched afresh.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from labs.models import Cluster
from scanning.watch import ClusterWatcher

Key = tuple[str, str, str, str]


def cluster_key(cluster: Cluster) -> Key:
    return (cluster.api_url, cluster.kubeconfig_path, cluster.token_file, cluster.ca_bundle_path)


class Command(BaseCommand):
    help = "Watch pods and VMIs of every enabled cluster; evaluate changed labs in seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--refresh", type=float, default=30.0, help="cluster list, seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        watching: dict[int, tuple[Key, ClusterWatcher, threading.Thread]] = {}
        try:
            while not stop.is_set():
                close_old_connections()
                self._sync(watching)
                stop.wait(options["refresh"])
        except KeyboardInterrupt:
            pass
        for _, watcher, _ in watching.values():
            watcher.stop.set()
        for _, _, thread in watching.values():
            thread.join(timeout=5)

    def _sync(self, watching: dict[int, tuple[Key, ClusterWatcher, threading.Thread]]) -> None:
        clusters = {c.pk: c for c in Cluster.objects.filter(enabled=True)}
        for pk in list(watching):
            cluster = clusters.get(pk)
            if cluster is None or cluster_key(cluster) != watching[pk][0]:
                watching.pop(pk)[1].stop.set()
        for pk, cluster in clusters.items():
            if pk not in watching:
                watcher = ClusterWatcher(cluster)
                thread = threading.Thread(target=watcher.run, daemon=True, name=cluster.name)
                thread.start()
                watching[pk] = (cluster_key(cluster), watcher, thread)
                self.stdout.write(f"Watching {cluster.name}.")
