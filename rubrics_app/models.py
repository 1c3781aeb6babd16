from __future__ import annotations

from django.db import models

from labs.models import LabInstance, Status


class Evaluation(models.Model):
    """The current verdict of one rubric on one lab instance, with the evidence behind it."""

    lab_instance = models.ForeignKey(
        LabInstance, on_delete=models.CASCADE, related_name="evaluations"
    )
    rubric_id = models.CharField(max_length=100)
    rubric_version = models.PositiveIntegerField(default=1)
    outcome = models.CharField(max_length=20, choices=Status.choices, default=Status.UNKNOWN)
    failure_class = models.CharField(max_length=100, blank=True)
    # Where the class came from: rule, default, engine, llm (unconfirmed) or human.
    class_source = models.CharField(max_length=10, blank=True)
    class_rule = models.CharField(max_length=120, blank=True)  # "<rule id>@v<version>"
    recommended_action = models.CharField(max_length=100, blank=True)
    reason = models.TextField(blank=True)
    object_ref = models.CharField(max_length=300, blank=True)
    fingerprint = models.CharField(max_length=40, blank=True, db_index=True)
    criteria = models.JSONField(default=list, blank=True)  # each criterion's result
    evidence_excerpt = models.JSONField(default=list, blank=True)  # the objects not ready
    # The engine's memory: when it first saw each object progressing, at which progress marker.
    progress_memory = models.JSONField(default=dict, blank=True)
    outcome_since = models.DateTimeField(null=True, blank=True)
    evaluated_at = models.DateTimeField()
    # Spec 17's evaluation feedback, from the latest `EvaluationFeedback` on this verdict: was
    # the class right (None: nobody said), the class a person gave instead, their notes.
    human_confirmed = models.BooleanField(null=True, blank=True)
    human_corrected_class = models.CharField(max_length=100, blank=True)
    human_notes = models.TextField(blank=True)  # redacted

    class Meta:
        ordering = ["lab_instance", "rubric_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lab_instance", "rubric_id"], name="evaluation_unique_rubric"
            )
        ]
        indexes = [models.Index(fields=["outcome", "failure_class"])]

    def __str__(self) -> str:
        return f"{self.rubric_id} on {self.lab_instance_id}: {self.outcome}"


class StateChange(models.Model):
    """A change of outcome (READY→FAILED…); a blank rubric_id is the lab's own status."""

    lab_instance = models.ForeignKey(
        LabInstance, on_delete=models.CASCADE, related_name="state_changes"
    )
    rubric_id = models.CharField(max_length=100, blank=True)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    failure_class = models.CharField(max_length=100, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at"], name="statechange_latest"),
            models.Index(fields=["lab_instance", "-at"], name="statechange_lab_timeline"),
        ]

    def __str__(self) -> str:
        scope = self.rubric_id or "lab"
        return f"{self.lab_instance_id} {scope}: {self.from_status or '-'} → {self.to_status}"


class LLMCall(models.Model):
    """One call to the model: what was asked (by digest, never the text) and how it went."""

    class Outcome(models.TextChoices):
        SUCCESS = "success"
        PARSE_ERROR = "parse_error"
        TIMEOUT = "timeout"
        CONNECTION_ERROR = "connection_error"
        RATE_LIMITED = "rate_limited"
        SERVER_ERROR = "server_error"
        ERROR = "error"

    prompt_id = models.CharField(max_length=100)
    prompt_version = models.CharField(max_length=20)
    model = models.CharField(max_length=200)  # the model the answer reports, else the one asked
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    total_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.FloatField(default=0.0)
    latency_ms = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(
        default=1
    )  # HTTP calls, retries and repair included
    repaired = models.BooleanField(default=False)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    error_type = models.CharField(max_length=100, blank=True)
    error_message = models.CharField(max_length=500, blank=True)  # redacted
    finish_reason = models.CharField(max_length=30, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    bundle_digest = models.CharField(max_length=64)  # sha256 of the redacted messages sent
    response_preview = models.CharField(max_length=500, blank=True)  # redacted
    # A classification answer's confidence times the calibration factor (spec 17), once a
    # proposal was stored from it.
    adjusted_confidence = models.FloatField(null=True, blank=True)
    called_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-called_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prompt_id} {self.prompt_version} {self.outcome} at {self.called_at}"


class LLMFeedback(models.Model):
    """Response feedback (spec 17): was this answer of the model helpful? Reviewing a proposal
    is the `classify` endpoint's feedback; this holds what users say of any other answer."""

    call = models.ForeignKey(LLMCall, on_delete=models.CASCADE, related_name="feedback")
    endpoint = models.CharField(max_length=100)  # the call's prompt id
    helpful = models.BooleanField()
    notes = models.TextField(blank=True)  # redacted
    submitted_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.endpoint} call {self.call_id}: {'helpful' if self.helpful else 'not'}"


class CalibrationReceipt(models.Model):
    """One computation of an endpoint's calibration factor (spec 17), every minute: the factor
    new answers get is the latest receipt's, the same in every worker process."""

    endpoint = models.CharField(max_length=100)
    helpful = models.PositiveIntegerField()
    total = models.PositiveIntegerField()
    factor = models.FloatField()
    min_feedback = models.PositiveIntegerField()  # below it the factor is 1.0
    window_start = models.DateTimeField(null=True, blank=True)  # feedback since (None: all)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-computed_at", "-pk"]
        indexes = [models.Index(fields=["endpoint", "-computed_at"], name="receipt_latest")]

    def __str__(self) -> str:
        return f"{self.endpoint} x{self.factor:.2f} ({self.helpful}/{self.total})"


class LLMBreaker(models.Model):
    """The circuit breaker's state, one row per endpoint, shared by every worker process."""

    name = models.CharField(max_length=50, unique=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    open_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.consecutive_failures} failures, open until {self.open_until}"


class LLMCacheEntry(models.Model):
    """A validated answer, reused for every failure with the same signature (one model call per
    signature, prompt version and model)."""

    signature = models.CharField(max_length=64)
    prompt_id = models.CharField(max_length=100)
    prompt_version = models.CharField(max_length=20)
    model = models.CharField(max_length=200)
    answer = models.JSONField()
    call = models.ForeignKey(LLMCall, on_delete=models.SET_NULL, null=True, blank=True)
    hits = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["signature", "prompt_id", "prompt_version", "model"],
                name="llmcacheentry_unique_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prompt_id} {self.prompt_version} {self.signature[:12]}"


class ClassificationProposal(models.Model):
    """A model's class for a failure no rule explains, waiting for (or after) a human's review.

    Stored only from an answer the quality gate accepted. The action is never the model's: it is
    the catalog's mapping for the reviewed class (a novel class gets only a diagnostic one)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed"
        ACCEPTED = "accepted"
        CORRECTED = "corrected"
        REJECTED = "rejected"

    lab_instance = models.ForeignKey(
        LabInstance, on_delete=models.CASCADE, related_name="classification_proposals"
    )
    rubric_id = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=40, db_index=True)  # the verdict's, for this lab
    signature = models.CharField(max_length=64, db_index=True)  # the failure's, on any lab
    criterion = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True)  # redacted
    original_class = models.CharField(max_length=100, blank=True)
    proposed_class = models.CharField(max_length=100)
    novel = models.BooleanField(default=False)
    conditions = models.JSONField(default=list, blank=True)
    confidence = models.FloatField(default=0.0)
    adjusted_confidence = models.FloatField(default=0.0)  # times the calibration factor
    reasoning = models.TextField(blank=True)  # redacted
    cited_evidence = models.JSONField(default=list, blank=True)  # bundle values it quotes
    bundle = models.JSONField(default=dict, blank=True)  # the redacted evidence bundle sent
    call = models.ForeignKey(LLMCall, on_delete=models.SET_NULL, null=True, blank=True)
    cost_usd = models.FloatField(default=0.0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    final_class = models.CharField(max_length=100, blank=True)  # accepted or corrected class
    reviewer = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_reason = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("review_classificationproposal", "Can review classification proposals")]
        constraints = [
            models.UniqueConstraint(
                fields=["lab_instance", "rubric_id", "fingerprint"],
                name="proposal_unique_failure",
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposed_class} for {self.lab_instance_id}/{self.rubric_id}: {self.status}"


class ClassificationRule(models.Model):
    """A reviewed answer made deterministic: versioned, replayed before it is switched on."""

    class Status(models.TextChoices):
        DRAFT = "draft"
        ACTIVE = "active"
        RETIRED = "retired"

    rule_id = models.CharField(max_length=100)
    version = models.PositiveIntegerField(default=1)
    rubric_id = models.CharField(max_length=100)
    criterion = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    message_pattern = models.CharField(max_length=500, blank=True)
    failure_class = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    # A novel class's catalog entry, added with the rule.
    novel = models.BooleanField(default=False)
    class_code = models.CharField(max_length=10, blank=True)
    class_summary = models.CharField(max_length=200, blank=True)
    proposal = models.ForeignKey(
        ClassificationProposal, on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    replay = models.JSONField(default=list, blank=True)  # the labs whose class would change
    replayed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rule_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["rule_id", "version"], name="rule_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}@v{self.version} ({self.status})"


class InvestigationRun(models.Model):
    """One run of the investigation agent on a failed lab: a bounded, read-only tool loop that
    ends in a verdict, a root cause and, if one fits, the catalog's action (never the model's)."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        COMPLETE = "complete"
        STEP_LIMIT = "step_limit"  # the step cap ended it before an answer
        TIME_LIMIT = "time_limit"  # the wall-time cap ended it before an answer
        ERROR = "error"

    class Verdict(models.TextChoices):
        TRANSIENT = "TRANSIENT"
        ACTIONABLE = "ACTIONABLE"
        UNKNOWN = "UNKNOWN"

    class Trigger(models.TextChoices):
        MANUAL = "manual"  # the Investigate button
        AUTO_STUCK = "auto_stuck"  # the attention gate: failing longer than the item's usual
        AUTO_ANOMALOUS = "auto_anomalous"  # the attention gate: a class rare for the item

    lab_instance = models.ForeignKey(
        LabInstance, on_delete=models.CASCADE, related_name="investigations"
    )
    trigger_type = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.MANUAL)
    # The verdict that set an automatic run off (spec 19.3 `triggering_eval_id`).
    triggering_evaluation = models.ForeignKey(
        Evaluation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    failure_class = models.CharField(max_length=100, blank=True)  # the lab's, at the start
    answer_class = models.CharField(max_length=100, blank=True)  # a known class the answer named
    root_cause = models.CharField(max_length=500, blank=True)  # redacted
    remediation_suggestion = models.TextField(blank=True)  # redacted, never executed
    action = models.CharField(max_length=100, blank=True)  # the catalog's, validated
    gate_outcome = models.CharField(max_length=10, blank=True)  # GREEN, YELLOW, RED, ERROR
    gate_failures = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=500, blank=True)  # redacted
    # The endpoint refused a tool-calling round (or gave no usable JSON): one plain call ended it.
    fallback = models.BooleanField(default=False)
    steps_taken = models.PositiveSmallIntegerField(default=0)  # model calls
    tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.FloatField(default=0.0)
    model = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("run_investigation", "Can investigate a failed lab")]
        indexes = [
            models.Index(fields=["lab_instance", "-created_at"], name="investigation_lab"),
            models.Index(fields=["completed_at", "id"], name="investigation_completed"),
        ]

    def __str__(self) -> str:
        return f"investigation {self.pk} of {self.lab_instance_id}: {self.status}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("rubrics:investigation_detail", args=[self.pk])

    @property
    def job_id(self) -> str:
        """Spec 19.3: `inv-` for a run a person asked for, `auto-` for the attention gate's."""
        return f"{'inv' if self.trigger_type == self.Trigger.MANUAL else 'auto'}-{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)


class InvestigationStep(models.Model):
    """One step of a run: a tool the model called (its arguments and capped, redacted result),
    a refused call (no such tool), or the model's final answer."""

    class Kind(models.TextChoices):
        TOOL = "tool"
        REFUSED = "refused"  # a tool that does not exist (a shell, a write): never run
        ANSWER = "answer"
        ERROR = "error"  # the model call itself failed

    run = models.ForeignKey(InvestigationRun, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField()  # the model call it came from, from 1
    kind = models.CharField(max_length=10, choices=Kind.choices)
    tool = models.CharField(max_length=100, blank=True)
    arguments = models.JSONField(default=dict, blank=True)  # redacted
    output = models.TextField(blank=True)  # redacted and capped
    failed = models.BooleanField(default=False)  # the tool raised: its error is the output
    call = models.ForeignKey(LLMCall, on_delete=models.SET_NULL, null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    at = models.DateTimeField()

    class Meta:
        ordering = ["run", "number", "pk"]

    def __str__(self) -> str:
        return f"step {self.number} of run {self.run_id}: {self.kind} {self.tool}"


class AttentionGate(models.Model):
    """The switch of automatic investigation (spec 19.4): one row, off until someone permitted
    turns it on (on the AI page or in the admin)."""

    enabled = models.BooleanField(default=False)
    changed_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        permissions = [
            ("switch_auto_investigation", "Can switch automatic investigation on or off")
        ]

    def __str__(self) -> str:
        return f"automatic investigation {'on' if self.enabled else 'off'}"


class AttentionDecision(models.Model):
    """The attention gate's last decision on one failing verdict: queued (with its run) or
    skipped (at which step, and why). One row per lab and rubric, overwritten."""

    class Source(models.TextChoices):
        VERDICT = "verdict"  # a verdict that just turned failed or warn
        SWEEP = "sweep"  # the 5-minute sweep

    lab_instance = models.ForeignKey(LabInstance, on_delete=models.CASCADE, related_name="+")
    rubric_id = models.CharField(max_length=100)
    failure_class = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    attention = models.CharField(max_length=20, blank=True)  # provisioning, stuck, anomalous…
    step = models.PositiveSmallIntegerField(null=True, blank=True)  # the step that skipped it
    reason = models.CharField(max_length=300)
    run = models.ForeignKey(
        InvestigationRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lab_instance", "rubric_id"], name="attention_decision_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lab_instance_id} {self.rubric_id}: {self.reason}"

    @property
    def queued(self) -> bool:
        return self.run_id is not None


class EvaluationFeedback(models.Model):
    """Spec 17's evaluation feedback: a person says whether a failed verdict's class was right,
    the class it should have been, what they did and whether it worked. Feedback only: the
    verdict's class and source stay the engine's (the review page confirms classes)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="feedback")
    lab_instance = models.ForeignKey(LabInstance, on_delete=models.CASCADE, related_name="+")
    rubric_id = models.CharField(max_length=100)
    stage = models.CharField(max_length=100)  # the rubric's stage, for the ground truth
    fingerprint = models.CharField(max_length=40, blank=True)  # the verdict's, when judged
    failure_class = models.CharField(max_length=100)  # the class judged
    class_source = models.CharField(max_length=10, blank=True)
    correct_classification = models.BooleanField(null=True, blank=True)
    corrected_class = models.CharField(max_length=100, blank=True)
    novel = models.BooleanField(default=False)  # the corrected class is no known class
    notes = models.TextField(blank=True)  # redacted
    action_taken = models.CharField(max_length=200, blank=True)  # redacted
    worked = models.BooleanField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        permissions = [("give_evaluationfeedback", "Can give feedback on a verdict's class")]

    def __str__(self) -> str:
        judged = {True: "right", False: "wrong", None: "not judged"}[self.correct_classification]
        return f"{self.failure_class} on {self.lab_instance_id}/{self.rubric_id}: {judged}"
