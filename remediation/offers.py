"""What a person may do, now, about a lab's recommended action: the button the pages show.

The decision is the gates' (`remediation.current.decision_now`, on current state, as at approval
and execution), never a rule of this module: EXECUTE is "Run"; APPROVAL is "Run" for a user who
may approve and whose approval answers every gate asking one, "Request approval" otherwise; any
other outcome is a disabled button naming the gates that block it. Acting goes through the
services (`action_request_create` with source UI, `action_request_approve`), audited as the API.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from labs.models import LabInstance, Status
from remediation import proposals
from remediation.current import decision_now
from remediation.gates import Decision, GateResult, Outcome, approval_blockers
from remediation.models import ActionRequest, RemediationAction
from rubrics_app.models import Evaluation
from scanning.models import LabEvidence

REQUEST_PERM = "remediation.add_actionrequest"
APPROVE_PERM = "remediation.approve_actionrequest"


class OfferKind(enum.StrEnum):
    RUN = "run"
    REQUEST = "request"  # request approval
    BLOCKED = "blocked"


@dataclass(frozen=True)
class Offer:
    """One recommended action of one lab, as one user may act on it now."""

    lab_instance: LabInstance
    rubric_id: str
    failure_class: str
    action_id: str  # the catalog action's, or the verdict's recommendation when none is enabled
    action: RemediationAction | None
    parameters: dict[str, object]
    evidence: dict[str, Any]
    kind: OfferKind
    blockers: tuple[GateResult, ...] = ()  # BLOCKED: the gates (or the permission) that block
    asks: tuple[GateResult, ...] = ()  # the gates that ask a human's approval
    via_approval: bool = False  # RUN answers `asks` with this user's approval
    decision: Decision | None = field(default=None, compare=False)

    @property
    def blocked_by(self) -> str:
        return "; ".join(f"{b.gate}: {b.reason}" for b in self.blockers)

    @property
    def asked_by(self) -> str:
        return "; ".join(f"{a.gate}: {a.reason}" for a in self.asks)


def _permission_blocker(perm: str) -> tuple[GateResult, ...]:
    return (GateResult("permission", Outcome.REFUSE, f"you do not hold {perm}"),)


def offer_kind(decision: Decision, user: User) -> tuple[OfferKind, tuple[GateResult, ...], bool]:
    """(kind, blockers, via approval) for `user` facing the gates' `decision`."""
    may_request, may_approve = user.has_perm(REQUEST_PERM), user.has_perm(APPROVE_PERM)
    if decision.outcome == Outcome.EXECUTE:
        if may_request or may_approve:
            return OfferKind.RUN, (), False
        return OfferKind.BLOCKED, _permission_blocker(REQUEST_PERM), False
    if decision.outcome == Outcome.APPROVAL:
        if may_approve and not approval_blockers(decision):
            return OfferKind.RUN, (), True
        if may_request or may_approve:
            return OfferKind.REQUEST, (), False
        return OfferKind.BLOCKED, _permission_blocker(REQUEST_PERM), False
    blocking = tuple(r for r in decision.results if r.outcome == decision.outcome)
    return OfferKind.BLOCKED, blocking, False


def _stored_evidence(instance: LabInstance) -> dict[str, Any]:
    row = LabEvidence.objects.filter(lab_instance=instance).only("evidence").first()
    return row.evidence if row is not None else {}


def lab_offers(
    *, user: User, lab_instance: LabInstance, now: dt.datetime | None = None
) -> list[Offer]:
    """One offer per verdict of the lab that recommends an action and is not ready."""
    verdicts = Evaluation.objects.filter(lab_instance=lab_instance).exclude(outcome=Status.READY)
    verdicts = verdicts.exclude(recommended_action="").order_by("rubric_id")
    evidence = _stored_evidence(lab_instance)
    now = now or timezone.now()
    return [_offer(user, lab_instance, verdict, evidence, now) for verdict in verdicts]


def lab_offer(
    *, user: User, lab_instance: LabInstance, rubric_id: str, now: dt.datetime | None = None
) -> Offer | None:
    """The offer for one rubric's verdict, or None when it recommends nothing now."""
    verdict = (
        Evaluation.objects.filter(lab_instance=lab_instance, rubric_id=rubric_id)
        .exclude(outcome=Status.READY)
        .exclude(recommended_action="")
        .first()
    )
    if verdict is None:
        return None
    evidence = _stored_evidence(lab_instance)
    return _offer(user, lab_instance, verdict, evidence, now or timezone.now())


def _offer(
    user: User,
    instance: LabInstance,
    verdict: Evaluation,
    evidence: dict[str, Any],
    now: dt.datetime,
) -> Offer:
    action, parameters = proposals.action_choose(
        verdict.recommended_action, verdict.failure_class, evidence, verdict.object_ref
    )
    snapshot = proposals.evidence_snapshot(evidence, list(verdict.evidence_excerpt or []))
    common: dict[str, Any] = {
        "lab_instance": instance,
        "rubric_id": verdict.rubric_id,
        "failure_class": verdict.failure_class,
        "action": action,
        "action_id": action.action_id if action else verdict.recommended_action,
        "parameters": parameters,
        "evidence": snapshot,
    }
    if action is None:
        missing = GateResult("enabled", Outcome.REFUSE, "no enabled catalog action")
        return Offer(**common, kind=OfferKind.BLOCKED, blockers=(missing,))
    # An unsaved request: the gates judge what a request made now would be.
    draft = ActionRequest(
        lab_instance=instance,
        action=action,
        failure_class=verdict.failure_class,
        parameters=parameters,
        evidence=snapshot,
        confirmed=True,
        created_at=now,
    )
    decision = decision_now(draft, now)
    kind, blockers, via_approval = offer_kind(decision, user)
    asks = tuple(r for r in decision.results if r.outcome == Outcome.APPROVAL)
    return Offer(
        **common,
        kind=kind,
        blockers=blockers,
        asks=asks,
        via_approval=via_approval,
        decision=decision,
    )


@dataclass(frozen=True)
class RequestOffer:
    """A pending request on the approval queue, as one approver may decide it now."""

    action_request: ActionRequest
    kind: OfferKind  # RUN (approve) or BLOCKED
    blockers: tuple[GateResult, ...] = ()

    @property
    def blocked_by(self) -> str:
        return "; ".join(f"{b.gate}: {b.reason}" for b in self.blockers)


def request_offer(*, user: User, action_request: ActionRequest) -> RequestOffer:
    """Whether approving `action_request` now would run it, or which gate refuses it."""
    if not user.has_perm(APPROVE_PERM):
        return RequestOffer(action_request, OfferKind.BLOCKED, _permission_blocker(APPROVE_PERM))
    blockers = approval_blockers(decision_now(action_request, timezone.now()))
    if blockers:
        return RequestOffer(action_request, OfferKind.BLOCKED, blockers)
    return RequestOffer(action_request, OfferKind.RUN)


@dataclass(frozen=True)
class OfferOutcome:
    """What a click did: the request (if one was made), the HTTP status and what to tell."""

    action_request: ActionRequest | None
    status: int
    notice: str


def offer_accept(*, offer: Offer, user: User, wanted: OfferKind, reason: str) -> OfferOutcome:
    """Act on `offer` as `user` asked (`wanted`: run or request), through the services.

    The offer is the gates' decision of this moment; when it no longer matches what the user
    clicked (the gates changed their mind since the page was drawn), nothing is done (409)."""
    from remediation import services

    if offer.kind == OfferKind.BLOCKED or offer.action is None:
        return OfferOutcome(None, 409, f"Blocked by {offer.blocked_by}")
    if wanted != offer.kind:
        return OfferOutcome(None, 409, f"The gates changed: now {offer.kind.value}. Try again.")
    if (offer.kind == OfferKind.REQUEST or offer.via_approval) and not reason.strip():
        return OfferOutcome(None, 400, "Give a reason.")
    request = services.action_request_create(
        lab_instance=offer.lab_instance,
        action=offer.action,
        failure_class=offer.failure_class,
        parameters=offer.parameters,
        evidence=offer.evidence,
        source=ActionRequest.Source.UI,
        requested_by=user,
        note=reason,
    )
    if offer.via_approval and request.status == ActionRequest.Status.PENDING:
        try:
            request = services.action_request_approve(
                action_request=request, approver=user, reason=reason
            )
        except services.GateRefused as exc:
            return OfferOutcome(exc.action_request, 409, f"Not approved: {exc}")
        except services.RateLimitReached as exc:
            return OfferOutcome(exc.action_request, 429, "Hourly action limit reached: pending.")
        except services.ActionAlreadyDecided as exc:
            request = exc.action_request
    return OfferOutcome(request, 200, f"Request #{request.pk}: {request.get_status_display()}.")
