"""The Sources page: each collector's freshness, last success, last error (masked) and what it
read. Team-agnostic (no lab data, only source health), login required like every page."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from collectors import selectors
from collectors.models import Freshness, SourceName, SourceState
from stargate.http import AuthedHtmxRequest, htmx_partial

# freshness -> (CSS status class, symbol): the state reads as text and symbol, not colour alone
LOOK = {
    Freshness.FRESH: ("ready", "✓"),
    Freshness.AGING: ("warn", "◐"),
    Freshness.STALE: ("failed", "✗"),
    Freshness.NEVER: ("unknown", "○"),
}


@dataclass(frozen=True)
class SourceRow:
    state: SourceState
    label: str
    freshness: str
    css: str
    symbol: str


@require_GET
def source_list(request: AuthedHtmxRequest) -> HttpResponse:
    now = timezone.now()
    rows = []
    for state in selectors.source_states():
        freshness = state.freshness(now) if state.configured else Freshness.NEVER
        css, symbol = LOOK[Freshness(freshness)]
        rows.append(SourceRow(state, SourceName(state.name).label, freshness, css, symbol))
    context = {"rows": rows, "now": now}
    template = (
        "collectors/sources_table.html" if htmx_partial(request) else "collectors/sources.html"
    )
    return render(request, template, context)
