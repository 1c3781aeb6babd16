"""The review page of classification proposals, and promotion of reviewed answers into rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from labs.selectors import is_platform_operator, lab_instances_for
from stargate.http import AuthedHtmxRequest, htmx_partial

from . import selectors
from .classification import proposals as review
from .classification import rules as promotion
from .models import ClassificationProposal, ClassificationRule
from .registry import active_rubrics, scan_rubrics

REVIEW = "rubrics_app.review_classificationproposal"


@require_GET
@permission_required(REVIEW, raise_exception=True)
def proposal_list(request: AuthedHtmxRequest) -> HttpResponse:
    status = request.GET.get("status", ClassificationProposal.Status.PROPOSED)
    if status not in ClassificationProposal.Status.values and status != "all":
        status = ClassificationProposal.Status.PROPOSED
    rows = selectors.proposals_for(
        lab_instances=lab_instances_for(request.user), status="" if status == "all" else status
    )
    context = {
        "proposals": rows[:100],
        "pending_count": selectors.proposals_pending()
        .filter(lab_instance__in=lab_instances_for(request.user))
        .count(),
        "status": status,
        "statuses": [*ClassificationProposal.Status.values, "all"],
        "classes": sorted(scan_rubrics().classes),
        "rules": ClassificationRule.objects.all()[:50],
    }
    if request.GET.get("part") == "rows":  # a live refresh: this user's rows and count
        context["oob"] = True
        return render(request, "rubrics_app/proposals.html#proposal-update", context)
    return render(request, "rubrics_app/proposals.html", context)


def _decision(request: AuthedHtmxRequest, proposal: ClassificationProposal) -> tuple[int, str]:
    decision = request.POST.get("decision", "")
    reason = request.POST.get("reason", "")[:1000].replace("\x00", "")
    try:
        if decision == "accept":
            review.proposal_accept(proposal=proposal, reviewer=request.user, reason=reason)
        elif decision == "correct":
            cls = request.POST.get("new_class", "").strip() or request.POST.get("class", "")
            review.proposal_correct(
                proposal=proposal, reviewer=request.user, failure_class=cls, reason=reason
            )
        elif decision == "reject":
            review.proposal_reject(proposal=proposal, reviewer=request.user, reason=reason)
        else:
            return 400, "The decision must be accept, correct or reject."
    except review.ReviewRefused as exc:
        return 409, str(exc)
    return 200, ""


@require_POST
@permission_required(REVIEW, raise_exception=True)
def proposal_review(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(
        ClassificationProposal, pk=pk, lab_instance__in=lab_instances_for(request.user)
    )
    status, notice = _decision(request, proposal)
    if not htmx_partial(request):
        if notice:
            messages.warning(request, f"Proposal {pk}: {notice}")
        return HttpResponseRedirect(reverse("rubrics:proposal_list"))
    proposal.refresh_from_db()
    context = {"p": proposal, "notice": notice, "classes": sorted(scan_rubrics().classes)}
    return render(request, "rubrics_app/proposals.html#proposal-row", context, status=status)


@require_http_methods(["GET", "POST"])
@permission_required(REVIEW, raise_exception=True)
def proposal_promote(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    """Make it a rule: the form pre-filled with a deterministic match; POST saves a draft."""
    proposal = get_object_or_404(
        ClassificationProposal, pk=pk, lab_instance__in=lab_instances_for(request.user)
    )
    draft = promotion.rule_draft_for(proposal)
    error = ""
    if request.method == "POST":
        posted = {f: request.POST.get(f, "").strip() for f in draft.__dataclass_fields__}
        draft = promotion.RuleDraft(**posted)
        try:
            rule = promotion.rule_promote(proposal=proposal, draft=draft, user=request.user)
        except promotion.PromotionRefused as exc:
            error = str(exc)
        else:
            return HttpResponseRedirect(reverse("rubrics:rule_detail", args=[rule.pk]))
    fields = [(name, getattr(draft, name)) for name in draft.__dataclass_fields__]
    context = {"proposal": proposal, "fields": fields, "error": error}
    return render(request, "rubrics_app/promote.html", context, status=400 if error else 200)


@require_GET
@permission_required(REVIEW, raise_exception=True)
def rule_detail(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(ClassificationRule, pk=pk)
    context = {
        "rule": rule,
        "replay": _replay_shown(rule, request.user),
        "every_lab": is_platform_operator(request.user),
    }
    return render(request, "rubrics_app/rule.html", context)


def _replay_shown(rule: ClassificationRule, user: Any) -> list[dict[str, Any]]:
    """The replay's changes on the labs `user` sees (every lab, for platform operators)."""
    changes = list(rule.replay or [])
    if is_platform_operator(user):
        return changes
    ids = {c.get("lab_instance") for c in changes}
    seen = set(lab_instances_for(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [c for c in changes if c.get("lab_instance") in seen]


@require_POST
@permission_required(REVIEW, raise_exception=True)
def rule_replay(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(ClassificationRule, pk=pk)
    changes = promotion.rule_replay(rule=rule)
    messages.info(
        request, f"Replayed on the stored evidence: {len(changes)} verdicts would change."
    )
    return HttpResponseRedirect(reverse("rubrics:rule_detail", args=[pk]))


@require_POST
@permission_required(REVIEW, raise_exception=True)
def rule_activate(request: AuthedHtmxRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(ClassificationRule, pk=pk)
    try:
        promotion.rule_activate(rule=rule)
    except promotion.PromotionRefused as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, f"{rule.rule_id} v{rule.version} is active.")
    return HttpResponseRedirect(reverse("rubrics:rule_detail", args=[pk]))


@require_GET
def rubric_list(request: AuthedHtmxRequest) -> HttpResponse:
    """Every active rubric in pipeline order (criteria, grace windows, classes, version), and
    the failure-class catalog (code, severity, recommended action)."""
    rubric_set = active_rubrics()
    classes = sorted(rubric_set.classes.values(), key=lambda cls: cls.code)
    context = {"rubrics": rubric_set.rubrics, "classes": classes, "directory": rubric_set.directory}
    return render(request, "rubrics_app/rubric_list.html", context)
