"""Evaluation feedback on the lab page (spec 17: was a failed verdict's class right?) and the
AI page's ground-truth report. Team-scoped: only the user's labs' verdicts."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from labs.models import Status
from labs.selectors import lab_instances_for
from stargate.http import AuthedHtmxRequest, htmx_partial

from .classification import ground_truth
from .classification.verdict_feedback import FeedbackRefused, evaluation_feedback_submit
from .models import Evaluation, EvaluationFeedback
from .registry import scan_rubrics

FEEDBACK = "rubrics_app.give_evaluationfeedback"
PANEL = "rubrics_app/verdict_feedback.html"
YES_NO = {"yes": True, "no": False, "": None}


def _choice(request: AuthedHtmxRequest, name: str) -> bool | None:
    value = request.POST.get(name, "")
    if value not in YES_NO:
        raise FeedbackRefused(f"{name} must be yes, no or empty")
    return YES_NO[value]


def _submit(request: AuthedHtmxRequest, evaluation: Evaluation) -> str:
    """Record the posted feedback; the notice when refused."""
    try:
        evaluation_feedback_submit(
            evaluation=evaluation,
            user=request.user,
            correct=_choice(request, "correct"),
            corrected_class=request.POST.get("new_class", "").strip()
            or request.POST.get("class", ""),
            notes=request.POST.get("notes", "").replace("\x00", ""),
            action_taken=request.POST.get("action_taken", "").replace("\x00", ""),
            worked=_choice(request, "worked"),
        )
    except FeedbackRefused as exc:
        return str(exc)
    return ""


@require_http_methods(["GET", "POST"])
def verdict_feedback(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    """The verdict's feedback panel (the latest word, the form for who may give one); POST
    records one (permission `rubrics_app.give_evaluationfeedback`)."""
    evaluation = get_object_or_404(
        Evaluation.objects.defer("criteria", "evidence_excerpt", "progress_memory"),
        pk=pk,
        lab_instance__in=lab_instances_for(request.user),
    )
    can_give = request.user.has_perm(FEEDBACK) and evaluation.outcome == Status.FAILED
    notice, status = "", 200
    if request.method == "POST":
        if not request.user.has_perm(FEEDBACK):
            return HttpResponse("You may not give feedback on verdicts.", status=403)
        notice = _submit(request, evaluation)
        status = 400 if notice else 200
        if not htmx_partial(request):
            url = reverse("labs:lab_instance_detail", args=[evaluation.lab_instance_id])
            return HttpResponse(notice, status=400) if notice else HttpResponseRedirect(url)
    context = {
        "evaluation": evaluation,
        "latest": EvaluationFeedback.objects.filter(
            evaluation=evaluation, fingerprint=evaluation.fingerprint
        ).first(),
        "can_give": can_give,
        "classes": sorted(scan_rubrics().classes),
        "notice": notice,
    }
    # htmx swaps no 4xx answer: the panel itself says why (status 200 with the notice)
    return render(request, PANEL, context, status=200 if htmx_partial(request) else status)


@require_GET
def ai_ground_truth(request: AuthedHtmxRequest) -> HttpResponse:
    """Spec 17's ground truth and accuracy, loaded by the AI page (its own queries)."""
    report = ground_truth.ground_truth_report(lab_instances_for(request.user))
    return render(request, "rubrics_app/ai_ground_truth.html", {"report": report})
