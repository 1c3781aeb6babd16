"""ZeroTouch (spec 11): `GET /catalogItems` (object with `items`; data key `envelope` "list" or
"catalogItems" for the other forms) and `GET /workshop/{id}`. No auth."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from simulator import catalog
from simulator.generator import Fleet
from simulator.services.base import ServiceServer, json_response


def zerotouch_data(fleet: Fleet) -> dict[str, Any]:
    items = []
    workshops: dict[str, Any] = {}
    for i, item in enumerate(catalog.items()):
        row: dict[str, Any] = {
            "name": catalog.full_name(item),
            "category": "Workshops" if catalog.CATALOG[item] != "model" else "AI",
            "provider": "babylon",
            "disabled": False,
        }
        # both spellings occur
        row["displayName" if i % 2 == 0 else "display_name"] = catalog.display_name(item)
        items.append(row)
        total = 20 + 10 * i  # as the Workshop objects of the hub clusters
        claimed = total // 2
        seats: dict[str, Any] = {"seats_total": total, "seats_available": total - claimed}
        if i % 2:
            seats = {
                "seatsTotal": total,
                "seatsAvailable": total - claimed,
                "seatsClaimed": claimed,
            }
        workshops[f"{catalog.lab_code(item).lower()}-{item}"] = {"id": i + 1, **seats}
    items[-1]["disabled"] = True
    return {"items": items, "workshops": workshops, "envelope": "items"}


class ZeroTouchServer(ServiceServer):
    kind = "zerotouch"

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/catalogItems", self._items), web.get("/workshop/{id}", self._workshop)]

    async def _items(self, request: web.Request) -> web.Response:
        envelope = self.data.get("envelope", "items")
        rows = self.data["items"]
        return json_response(rows if envelope == "list" else {envelope: rows})

    async def _workshop(self, request: web.Request) -> web.Response:
        row = self.data["workshops"].get(request.match_info["id"])
        if row is None:
            return self.error(404, "workshop not found")
        return json_response(row)
