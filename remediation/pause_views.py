"""The pause page: the global and per-cluster switches and the maintenance windows."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from labs.selectors import audience_of, visible_clusters, visible_labs
from remediation import pauses, selectors
from remediation.forms import MaintenanceWindowForm, PauseForm
from remediation.models import RemediationPause
from stargate.http import AuthedHtmxRequest

VIEW = "remediation.view_remediationpause"
CHANGE = "remediation.change_remediationpause"


def _page(
    request: AuthedHtmxRequest, window_form: MaintenanceWindowForm | None = None
) -> HttpResponse:
    audience = audience_of(request.user)
    switches = {s.cluster_id: s for s in RemediationPause.objects.select_related("changed_by")}
    windows = selectors.visible_windows(audience).select_related("cluster", "lab", "created_by")
    window_form = window_form or MaintenanceWindowForm()
    window_form.fields["cluster"].queryset = visible_clusters(audience)  # type: ignore[attr-defined]
    window_form.fields["lab"].queryset = visible_labs(audience)  # type: ignore[attr-defined]
    context = {
        "global_switch": switches.get(None),
        "clusters": [(c, switches.get(c.pk)) for c in visible_clusters(audience)],
        "windows": windows[:100],
        "now": timezone.now(),
        "window_form": window_form,
        "can_change": request.user.has_perm(CHANGE),
    }
    status = 400 if window_form is not None else 200
    return render(request, "remediation/pause.html", context, status=status)


@require_GET
@permission_required(VIEW, raise_exception=True)
def pause_page(request: AuthedHtmxRequest) -> HttpResponse:
    return _page(request)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def pause_set(request: AuthedHtmxRequest) -> HttpResponse:
    form = PauseForm(request.POST, audience=audience_of(request.user))
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(str(e) for e in error))
        return HttpResponseRedirect(reverse("remediation:pause_page"))
    data = form.cleaned_data
    pauses.remediation_pause_set(
        cluster=data["cluster"], paused=data["paused"], reason=data["reason"], user=request.user
    )
    scope = f"on {data['cluster']}" if data["cluster"] else "everywhere"
    messages.success(request, f"Remediation {'paused' if data['paused'] else 'resumed'} {scope}.")
    return HttpResponseRedirect(reverse("remediation:pause_page"))


@require_POST
@permission_required("remediation.add_maintenancewindow", raise_exception=True)
def window_add(request: AuthedHtmxRequest) -> HttpResponse:
    form = MaintenanceWindowForm(request.POST)
    audience = audience_of(request.user)
    form.fields["cluster"].queryset = visible_clusters(audience)  # type: ignore[attr-defined]
    form.fields["lab"].queryset = visible_labs(audience)  # type: ignore[attr-defined]
    if not form.is_valid():
        return _page(request, window_form=form)
    data = form.cleaned_data
    pauses.maintenance_window_create(
        cluster=data["cluster"],
        lab=data["lab"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        reason=data["reason"],
        user=request.user,
    )
    messages.success(request, "Maintenance window added.")
    return HttpResponseRedirect(reverse("remediation:pause_page"))


@require_POST
@permission_required("remediation.delete_maintenancewindow", raise_exception=True)
def window_delete(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    window = get_object_or_404(selectors.visible_windows(audience_of(request.user)), pk=pk)
    pauses.maintenance_window_delete(window=window, user=request.user)
    messages.success(request, "Maintenance window removed.")
    return HttpResponseRedirect(reverse("remediation:pause_page"))


@require_GET
def pause_banner(request: AuthedHtmxRequest) -> HttpResponse:
    """The header's banner while remediation is paused anywhere; empty otherwise."""
    state = selectors.pause_state_for(request.user) if request.user.is_authenticated else None
    return render(request, "remediation/pause_banner.html", {"state": state})
