"""The capacity page: pools with their forecast and band, clusters' demand against capacity,
the session timeline; team-scoped like every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from forecasting import charts
from forecasting.projection import MAX_HOURS
from forecasting.selectors import capacity_forecast
from labs.selectors import audience_of
from stargate.http import AuthedHtmxRequest


def _hours(request: AuthedHtmxRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("hours", settings.FORECAST_HOURS)), MAX_HOURS))
    except ValueError:
        return int(settings.FORECAST_HOURS)


@require_GET
def capacity(request: AuthedHtmxRequest) -> HttpResponse:
    hours = _hours(request)
    forecast = capacity_forecast(
        audience=audience_of(request.user),
        hours=hours,
        window_hours=settings.FORECAST_WINDOW_HOURS,
        method=settings.FORECAST_VELOCITY_METHOD,
    )
    pools = [
        (pool, charts.pool_chart(pool, forecast.now, hours, index))
        for index, pool in enumerate(forecast.pools)
    ]
    clusters = [
        (cluster, charts.cluster_charts(cluster, forecast.now, index))
        for index, cluster in enumerate(forecast.clusters)
    ]
    context = {
        "forecast": forecast,
        "hours": hours,
        "hour_choices": (6, 24, 48, 72),
        "pools": pools,
        "clusters": clusters,
        "timeline": charts.session_timeline(forecast),
        "footprints": sorted(forecast.footprints.items()),
    }
    return render(request, "forecasting/capacity.html", context)
