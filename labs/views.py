from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from labs import selectors
from labs.models import Cluster, LabInstance, Status
from stargate.http import AuthedHtmxRequest


@require_GET
def fleet_overview(request: AuthedHtmxRequest) -> HttpResponse:
    context = {
        "clusters": selectors.cluster_list_with_counts(),
        "status_counts": selectors.status_counts(),
        "statuses": Status,
    }
    return render(request, "labs/fleet_overview.html", context)


@require_GET
def cluster_detail(request: AuthedHtmxRequest, name: str) -> HttpResponse:
    cluster = get_object_or_404(Cluster, name=name)
    return render(request, "labs/cluster_detail.html", {"cluster": cluster})


@require_GET
def lab_instance_detail(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    instance = get_object_or_404(LabInstance.objects.select_related("cluster", "lab"), pk=pk)
    return render(request, "labs/lab_instance_detail.html", {"instance": instance})
