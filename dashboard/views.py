from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from dashboard import charts, fleet, selectors
from dashboard.filters import LabInstanceFilter
from dashboard.tables import CountedPaginator, LabInstanceTable
from labs import selectors as lab_selectors
from stargate.http import AuthedHtmxRequest, htmx_partial

PAGE_SIZE = 50


@require_GET
def fleet_overview(request: AuthedHtmxRequest) -> HttpResponse:
    audience = lab_selectors.audience_of(request.user)
    context = {
        **fleet.fleet_parts(audience).context(),
        "fleet_charts": charts.fleet_charts(audience),
    }
    return render(request, fleet.FLEET_TEMPLATE, context)


@require_GET
def lab_list(request: AuthedHtmxRequest) -> HttpResponse:
    audience = lab_selectors.audience_of(request.user)
    counts = fleet.fleet_counts(audience)
    choices = selectors.lab_filter_choices(counts)
    rows = lab_selectors.lab_table_rows(audience)
    filterset = LabInstanceFilter(request.GET, rows, choices=choices)
    table = LabInstanceTable(filterset.qs)
    count = selectors.lab_count_from_fleet_counts(counts, filterset.form.cleaned_data)
    paginate = {"per_page": PAGE_SIZE, "paginator_class": CountedPaginator, "count": count}
    RequestConfig(request, paginate=paginate).configure(table)
    # The page's rows are the queryset's cached values: naming them names what the table renders.
    selectors.lab_table_rows_name([row.record for row in table.paginated_rows], counts)
    template = "dashboard/lab_list.html"
    if htmx_partial(request):
        template += "#lab-table"
    return render(request, template, {"filter": filterset, "table": table})


@require_GET
def lab_instance_detail(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    audience = lab_selectors.audience_of(request.user)
    instance = get_object_or_404(lab_selectors.lab_instance_list(audience), pk=pk)
    context = {**selectors.lab_detail_context(instance), **selectors.lab_detail_diagnosis(instance)}
    return render(request, "dashboard/lab_instance_detail.html", context)


@require_GET
def cluster_detail(request: AuthedHtmxRequest, name: str) -> HttpResponse:
    audience = lab_selectors.audience_of(request.user)
    cluster = get_object_or_404(lab_selectors.cluster_list_with_counts(audience), name=name)
    context = selectors.cluster_detail_context(cluster, audience)
    context["charts"] = charts.cluster_charts(cluster)
    return render(request, "dashboard/cluster_detail.html", context)


@require_GET
def failure_class_detail(request: AuthedHtmxRequest, code: str) -> HttpResponse:
    """The labs of one failure class, with its recommended action and the buttons to act."""
    found = selectors.failure_class_by_code(code)
    if found is None:
        raise Http404("No such failure class.")
    cluster = request.GET.get("cluster", "")[:63]
    labs = lab_selectors.lab_instances_for(request.user)
    context = {
        "failure_class": found,
        "cluster": cluster,
        "labs": selectors.failure_class_labs(labs, found.id, cluster),
        "limit": selectors.CLASS_PAGE_LABS,
    }
    return render(request, "dashboard/failure_class_detail.html", context)
