"""ZeroTouch (platform-contracts 11): catalog items and workshop seats.

Workshop ids come from the `workshops` option (comma-separated) and from the Workshops the
Babylon collector saw on the hubs (`workshop_names` in its summary)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from collectors.conf import SourceSettings
from collectors.http import SourceError, client_for, fetch_json, rows_of
from collectors.models import SourceName, SourceState, ZeroTouchItem
from collectors.runner import Collected

MAX_WORKSHOPS = 50


def collect(source: SourceSettings, now: datetime) -> Collected:
    base = str(source.option("url")).rstrip("/")
    with client_for(source) as client:
        rows = rows_of(fetch_json(client, f"{base}/catalogItems"), "items", "catalogItems")
        workshops: dict[str, dict[str, int]] = {}
        for workshop in _workshop_ids(source)[:MAX_WORKSHOPS]:
            try:
                body = fetch_json(client, f"{base}/workshop/{workshop}")
            except SourceError as exc:
                if exc.kind == "http_404":
                    continue
                raise
            if isinstance(body, dict):
                workshops[workshop] = _seats(body)
    items = [_item(row) for row in rows if row.get("name")]
    with transaction.atomic():
        for item in items:
            seats = _seats_for(item["name"], workshops)
            ZeroTouchItem.objects.update_or_create(
                name=item["name"], defaults={**item, **seats, "seen_at": now}
            )
        ZeroTouchItem.objects.exclude(name__in=[i["name"] for i in items]).delete()
    return Collected(
        items=len(items),
        summary={
            "available": True,
            "catalog_total": len(items),
            "catalog_active": sum(1 for i in items if not i["disabled"]),
            "catalog_items": [i["name"] for i in items[:20]],
            "workshops": workshops,
            "workshop_count": len(workshops),
            "timestamp": now.isoformat(),
        },
    )


def _item(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": str(row["name"])[:253],
        "display_name": str(row.get("displayName") or row.get("display_name") or "")[:253],
        "category": str(row.get("category") or "")[:100],
        "provider": str(row.get("provider") or "")[:100],
        "disabled": bool(row.get("disabled", False)),
    }


def _seats(body: dict[str, Any]) -> dict[str, int]:
    def pick(snake: str, camel: str) -> int:
        value = body.get(snake, body.get(camel, 0))
        return int(value) if isinstance(value, int | float) else 0

    return {
        "seats_total": pick("seats_total", "seatsTotal"),
        "seats_available": pick("seats_available", "seatsAvailable"),
        "seats_claimed": pick("seats_claimed", "seatsClaimed"),
    }


def _seats_for(name: str, workshops: dict[str, dict[str, int]]) -> dict[str, int | None]:
    """A workshop named `<lab code>-<short name>` gives its seats to the item of that name."""
    short = name.split(".")[1] if name.count(".") >= 2 else name
    for workshop, seats in workshops.items():
        if workshop.endswith(f"-{short}") or workshop == short:
            return dict(seats)
    return {"seats_total": None, "seats_available": None, "seats_claimed": None}


def _workshop_ids(source: SourceSettings) -> list[str]:
    configured = [w.strip() for w in str(source.option("workshops")).split(",") if w.strip()]
    state = SourceState.objects.filter(name=SourceName.BABYLON).first()
    seen = list((state.summary if state else {}).get("workshop_names") or [])
    return list(dict.fromkeys([*configured, *seen]))
