"""What the object builders share while building one lab: namespace, randomness, clock, node."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

Obj = dict[str, Any]


@dataclass
class BuildContext:
    cluster: str
    namespace: str
    rng: random.Random
    now: datetime
    nodes: list[str] = field(default_factory=list)

    def uid(self) -> str:
        """A random (version 4 shaped) UUID drawn from the lab's seeded generator."""
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"

    def ago(self, minutes: float) -> str:
        """A timestamp `minutes` before the fleet's clock."""
        return _stamp(self.now, minutes)

    def suffix(self, length: int = 5) -> str:
        return "".join(self.rng.choices("bcdfghjklmnpqrstvwxz2456789", k=length))

    def node(self) -> str:
        return self.rng.choice(self.nodes) if self.nodes else "worker-0"

    def meta(self, name: str, minutes: float = 120.0, **extra: Any) -> Obj:
        meta: Obj = {
            "name": name,
            "namespace": self.namespace,
            "uid": self.uid(),
            "creationTimestamp": self.ago(minutes),
        }
        meta.update(extra)
        return meta


@lru_cache(maxsize=4096)
def _stamp(now: datetime, minutes: float) -> str:
    return (now - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def owner_ref(owner: Obj) -> Obj:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }
