"""The configuration audit page: a read-only list of `ConfigChange` rows, filtered by the query
string (`model`, `object`, `user`), so a filtered view is a URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from stargate.configaudit import AUDITED, config_changes_for
from stargate.http import AuthedHtmxRequest
from stargate.models import ConfigChange

PAGE_SIZE = 50


def config_changes_filtered(
    *, viewer: Any, model: str = "", object_term: str = "", user: str = ""
) -> QuerySet[ConfigChange]:
    """The changes `viewer` may read (a team member: those of their teams' catalog items,
    their clusters and windows, and the remediation catalog), filtered."""
    changes = config_changes_for(viewer)
    if model:
        changes = changes.filter(model=model)
    if object_term:
        changes = changes.filter(Q(object_repr__icontains=object_term) | Q(object_id=object_term))
    if user:
        changes = changes.filter(actor__icontains=user)
    return changes.order_by("-at", "-pk")


@require_GET
def config_change_list(request: AuthedHtmxRequest) -> HttpResponse:
    filters = {name: request.GET.get(name, "").strip() for name in ("model", "object", "user")}
    changes = config_changes_filtered(
        viewer=request.user,
        model=filters["model"],
        object_term=filters["object"],
        user=filters["user"],
    )
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({name: value for name, value in filters.items() if value})
    context = {
        "page": page,
        "filters": filters,
        "models": sorted(label.lower() for label in AUDITED),
        "query": query,
    }
    return render(request, "stargate/config_change_list.html", context)
