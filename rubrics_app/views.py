"""Read-only pages of the rubrics the engine runs and the failure classes they decide."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rubrics_app.registry import active_rubrics
from stargate.http import AuthedHtmxRequest


@require_GET
def rubric_list(request: AuthedHtmxRequest) -> HttpResponse:
    """Every active rubric in pipeline order (criteria, grace windows, classes, version), and
    the failure-class catalog (code, severity, recommended action)."""
    rubric_set = active_rubrics()
    classes = sorted(rubric_set.classes.values(), key=lambda cls: cls.code)
    context = {"rubrics": rubric_set.rubrics, "classes": classes, "directory": rubric_set.directory}
    return render(request, "rubrics_app/rubric_list.html", context)
