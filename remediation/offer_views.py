"""The action buttons of the lab page, the failure-class page and the approval queue.

Each page embeds a fragment loaded from here, so that the buttons are decided for the person
looking, on current state, by the gates (`remediation.offers`), and the pages keep their query
budgets. Clicks go through the same services and audit as the API.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from labs import selectors as lab_selectors
from labs.models import LabInstance
from remediation import offers, selectors
from remediation.offers import OfferKind
from stargate.http import AuthedHtmxRequest, htmx_partial

TEMPLATE = "remediation/offers.html"


def _lab(request: AuthedHtmxRequest, pk: int) -> LabInstance:
    labs = lab_selectors.lab_instances_for(request.user).select_related("lab", "cluster")
    return get_object_or_404(labs, pk=pk)


def _lab_render(
    request: AuthedHtmxRequest, instance: LabInstance, notice: str = "", status: int = 200
) -> HttpResponse:
    failure_class = request.GET.get("class", "") or request.POST.get("class", "")
    lab_offers = offers.lab_offers(user=request.user, lab_instance=instance)
    if failure_class:
        lab_offers = [o for o in lab_offers if o.failure_class == failure_class]
    context = {
        "instance": instance,
        "offers": lab_offers,
        "notice": notice,
        "failure_class": failure_class,
    }
    return render(request, f"{TEMPLATE}#lab-offers", context, status=status)


@require_GET
def lab_offers(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    """The buttons for the lab's recommended actions (`?class=` keeps one failure class's)."""
    return _lab_render(request, _lab(request, pk))


@require_POST
def lab_offer_accept(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    """Run, or request approval of, one rubric's recommended action, as the gates allow now."""
    instance = _lab(request, pk)
    reason = request.POST.get("reason", "")[:1000].replace("\x00", "")
    wanted = request.POST.get("kind", "")
    offer = offers.lab_offer(
        user=request.user, lab_instance=instance, rubric_id=request.POST.get("rubric", "")
    )
    if offer is None or wanted not in (OfferKind.RUN, OfferKind.REQUEST):
        status, notice = 400, "Nothing to run for this rubric now."
    else:
        outcome = offers.offer_accept(
            offer=offer, user=request.user, wanted=OfferKind(wanted), reason=reason
        )
        status, notice = outcome.status, outcome.notice
    if not htmx_partial(request):
        messages.info(request, notice)
        return HttpResponseRedirect(instance.get_absolute_url())
    return _lab_render(request, instance, notice, status)


@require_GET
def request_offer(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    """The approval queue's decision buttons for one pending request."""
    action_request = get_object_or_404(selectors.action_requests_for(request.user), pk=pk)
    offer = offers.request_offer(user=request.user, action_request=action_request)
    context = {"offer": offer, "req": action_request}
    return render(request, f"{TEMPLATE}#request-offer", context)
