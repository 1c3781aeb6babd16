"""The AI page: the model's feedback and calibration, drift week over week, and why candidates
wait. Lists of labs are the user's (`lab_instances_for`); at most 10 queries."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from labs.selectors import lab_instances_for
from stargate.http import AuthedHtmxRequest

from .classification import calibration, feedback
from .classification.candidates import candidate_verdicts
from .models import ClassificationProposal

WAITING_SHOWN = 10


@require_GET
def ai_overview(request: AuthedHtmxRequest) -> HttpResponse:
    now = timezone.now()
    labs = lab_instances_for(request.user)
    proposals = ClassificationProposal.objects.filter(lab_instance__in=labs)
    waiting_rows = list(
        candidate_verdicts()
        .filter(lab_instance__in=labs)
        .defer("criteria", "evidence_excerpt", "progress_memory")[: WAITING_SHOWN + 1]
    )
    calls = calibration.call_stats(now)
    receipts = calibration.receipts_history()
    context = {
        "model": settings.LLM_MODEL,
        "endpoint": settings.LLM_API_BASE,
        "receipt": calibration.page_receipt(receipts),
        "receipts": receipts,
        "by_class": calibration.acceptance_by_class(proposals),
        "buckets": calibration.calibration_table(proposals),
        "drift": calibration.drift(now, calls),
        "waiting": calibration.waiting(now, calls),
        "candidates": waiting_rows[:WAITING_SHOWN],
        "more_candidates": len(waiting_rows) > WAITING_SHOWN,
    }
    return render(request, "rubrics_app/ai.html", context)


@require_GET
def ai_variants(request: AuthedHtmxRequest) -> HttpResponse:
    """Spec 17's variant report per prompt version, loaded by the AI page (its own queries)."""
    context = {"variants": feedback.variant_report(), "days": feedback.VARIANT_DAYS}
    return render(request, "rubrics_app/ai_variants.html", context)


@require_POST
def llm_feedback(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    """Was this answer helpful? Only for a call that answered for one of the user's labs."""
    labs = lab_instances_for(request.user)
    call = get_object_or_404(feedback.rateable_calls(labs), pk=pk)
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no"):
        return HttpResponse("helpful must be yes or no", status=400)
    entry = feedback.feedback_submit(
        call=call, helpful=helpful == "yes", notes=request.POST.get("notes", ""), user=request.user
    )
    return render(request, "rubrics_app/llm_feedback.html", {"call_id": call.pk, "entry": entry})
