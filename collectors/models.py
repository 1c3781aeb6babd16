"""What the collectors store: one state row per source, and the records each source yields.

Every record that names a lab keeps the raw identifier of its source (`guid`, `lab_code`,
`catalog_item`) next to the resolved `Lab`/`LabInstance` when one is known (platform-contracts 2,
"identity"). No credential is ever stored: payloads are allow-listed or redacted first.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from labs.models import Cluster, Lab, LabInstance

FRESH_SECONDS = 300  # platform-contracts 2: fresh under 300 s, aging to 900 s, stale beyond
AGING_SECONDS = 900


class Freshness(models.TextChoices):
    FRESH = "fresh", "Fresh"
    AGING = "aging", "Aging"
    STALE = "stale", "Stale"
    NEVER = "never", "Never collected"


class SourceName(models.TextChoices):
    BABYLON = "babylon", "Babylon / Poolboy"
    LABAGATOR = "labagator", "Labagator"
    LAUNCHPAD = "launchpad", "Launchpad"
    AAP = "aap", "Automation controller (AAP)"
    DEMOLITION = "demolition", "Demolition smoke tests"
    SANDBOX_API = "sandbox_api", "Sandbox API"
    AGNOSTICV = "agnosticv", "AgnosticV"
    ZEROTOUCH = "zerotouch", "ZeroTouch"
    CLUSTER_SCHEDULER = "cluster_scheduler", "Cluster scheduler"
    PROMETHEUS = "prometheus", "Prometheus / Thanos"
    ALERTMANAGER = "alertmanager", "Alertmanager"


def freshness_of(
    last_success_at: datetime | None,
    interval_seconds: int,
    now: datetime | None = None,
) -> str:
    """`fresh` while younger than max(300 s, 1.5 x interval), `aging` until max(900 s,
    3 x interval), then `stale`; `never` without a success. A source polled every 30 min is not
    stale between two polls: the spec's 300/900 s are the floors."""
    if last_success_at is None:
        return Freshness.NEVER
    age = ((now or timezone.now()) - last_success_at).total_seconds()
    if age < max(FRESH_SECONDS, 1.5 * interval_seconds):
        return Freshness.FRESH
    if age < max(AGING_SECONDS, 3 * interval_seconds):
        return Freshness.AGING
    return Freshness.STALE


class SourceState(models.Model):
    """One collector's health: when it last succeeded and tried, and its last error (masked)."""

    name = models.CharField(max_length=40, unique=True, choices=SourceName.choices)
    configured = models.BooleanField(default=False)
    interval_seconds = models.PositiveIntegerField(default=180)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error_kind = models.CharField(
        max_length=20, blank=True, help_text="timeout, connection, http_<code>, auth, parse"
    )
    last_error = models.TextField(blank=True, help_text="Secrets masked.")
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    items = models.PositiveIntegerField(default=0, help_text="Records read in the last success.")
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def freshness(self, now: datetime | None = None) -> str:
        return freshness_of(self.last_success_at, self.interval_seconds, now)

    @property
    def interval_label(self) -> str:
        seconds = self.interval_seconds
        return f"{seconds // 60} min" if seconds >= 60 and seconds % 60 == 0 else f"{seconds} s"

    @property
    def failing(self) -> bool:
        return self.consecutive_failures > 0


class CollectionRun(models.Model):
    """One cycle of one collector (kept for the history and the metrics; pruned with the rest)."""

    source = models.CharField(max_length=40, choices=SourceName.choices, db_index=True)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=1)
    error_kind = models.CharField(max_length=20, blank=True)
    error = models.TextField(blank=True)
    items = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["source", "-started_at"])]

    def __str__(self) -> str:
        return (
            f"{self.source} {self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else self.error_kind}"
        )


# --- Babylon / Poolboy (platform-contracts 4) ------------------------------------------------


class PoolSnapshot(models.Model):
    """One ResourcePool as one Babylon cycle saw it (4.2); forecasting fits its velocity on these."""

    pool_name = models.CharField(max_length=253, db_index=True)
    hub = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.CASCADE, related_name="pool_snapshots"
    )
    taken_at = models.DateTimeField(default=timezone.now, db_index=True)
    available = models.IntegerField(default=0, help_text="Unclaimed handles now.")
    ready = models.IntegerField(default=0, help_text="Unclaimed handles that are ready.")
    healthy = models.IntegerField(default=0)
    min_available = models.IntegerField(default=0, help_text="spec.minAvailable")
    max_unready = models.IntegerField(null=True, blank=True)
    total_handles = models.IntegerField(default=0, help_text="len(status.resourceHandles)")
    taken = models.IntegerField(default=0, help_text="Handles of this pool bound to a claim.")
    catalog_item = models.CharField(max_length=253, blank=True, help_text="spec provider name")
    cloud = models.CharField(max_length=63, blank=True)
    is_event = models.BooleanField(default=False)

    class Meta:
        ordering = ["pool_name", "-taken_at"]
        indexes = [models.Index(fields=["pool_name", "hub", "-taken_at"])]

    def __str__(self) -> str:
        return f"{self.pool_name} {self.available}/{self.min_available} @ {self.taken_at:%H:%M}"

    @property
    def exhausted(self) -> bool:
        return self.available <= 0 and self.min_available > 0

    @property
    def low(self) -> bool:
        return not self.exhausted and self.available <= 1 and self.min_available > 0


class BabylonCatalogItem(models.Model):
    """A Babylon CatalogItem (4.6)."""

    hub = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="catalog_items")
    name = models.CharField(max_length=253)
    namespace = models.CharField(max_length=63)
    category = models.CharField(max_length=63, blank=True)
    display_name = models.CharField(max_length=253, blank=True)
    description = models.CharField(max_length=200, blank=True)
    disabled = models.BooleanField(default=False)
    provider = models.CharField(max_length=253, blank=True)
    labels = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "namespace", "name"], name="babylon_catalog_item_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


class ProvisionRecord(models.Model):
    """An AnarchySubject (4.5) joined to its claim and handle: one provisioned environment."""

    hub = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="provision_records")
    name = models.CharField(max_length=253)
    namespace = models.CharField(max_length=63)
    governor = models.CharField(max_length=253, blank=True)
    guid = models.CharField("GUID", max_length=63, blank=True, db_index=True)
    service_uuid = models.CharField(max_length=63, blank=True)
    catalog_item = models.CharField(max_length=253, blank=True, db_index=True)
    catalog_namespace = models.CharField(max_length=63, blank=True)
    claim_name = models.CharField(max_length=253, blank=True)
    claim_namespace = models.CharField(max_length=63, blank=True)
    handle_name = models.CharField(max_length=253, blank=True)
    pool_name = models.CharField(max_length=253, blank=True)
    agnosticv_path = models.CharField(max_length=300, blank=True)
    current_state = models.CharField(max_length=40, blank=True, db_index=True)
    desired_state = models.CharField(max_length=40, blank=True)
    provision_job_succeeded = models.BooleanField(default=False)
    tower_host = models.CharField(max_length=253, blank=True)
    tower_job_id = models.CharField(max_length=40, blank=True)
    lab_namespace = models.CharField(max_length=63, blank=True)
    workload_cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    workload_cluster_name = models.CharField(max_length=253, blank=True)
    lab = models.ForeignKey(Lab, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state_since = models.DateTimeField(
        null=True, blank=True, help_text="Age source of a destroy state (5, stuck teardown)."
    )
    deletion_timestamp = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(null=True, blank=True)
    provision_data = models.JSONField(default=dict, blank=True, help_text="Allow-listed keys only.")
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "namespace", "name"], name="provision_record_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.current_state})"

    @property
    def failed(self) -> bool:
        return "failed" in self.current_state

    @property
    def destroying(self) -> bool:
        return self.current_state in ("destroying", "destroy-failed", "destroy-error")


class LabIdentity(models.Model):
    """A lab namespace resolved through GUID → claim → catalog item (3.2)."""

    class ResolvedBy(models.TextChoices):
        HANDLE = "handle", "ResourceHandle"
        CLAIM = "claim", "ResourceClaim"
        PLACEMENT = "placement", "Sandbox API placement"
        MAPPING = "mapping", "Lab mapping"
        SUFFIX = "suffix", "Namespace suffix"

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="lab_identities")
    namespace = models.CharField(max_length=63)
    instance = models.OneToOneField(
        LabInstance, null=True, blank=True, on_delete=models.SET_NULL, related_name="identity"
    )
    guid = models.CharField("GUID", max_length=63, blank=True, db_index=True)
    service_uuid = models.CharField(max_length=63, blank=True)
    catalog_item = models.CharField(max_length=253, blank=True, db_index=True)
    catalog_short_name = models.CharField(max_length=200, blank=True, db_index=True)
    catalog_namespace = models.CharField(max_length=63, blank=True)
    agnosticv_repo = models.CharField(max_length=300, blank=True)
    agnosticv_path = models.CharField(max_length=300, blank=True)
    lab_code = models.CharField(max_length=63, blank=True, db_index=True)
    display_name = models.CharField(max_length=253, blank=True)
    owner = models.CharField(max_length=253, blank=True)
    resolved_by = models.CharField(max_length=20, choices=ResolvedBy.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cluster__name", "namespace"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "namespace"], name="lab_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.namespace} → {self.catalog_item or '?'} ({self.resolved_by})"


# --- Labagator / Launchpad (6, 7) -------------------------------------------------------------


class ScheduledLab(models.Model):
    """A lab of the event schedule (Labagator's lab, or Launchpad's catalog entry)."""

    source = models.CharField(max_length=20, choices=SourceName.choices)
    lab_code = models.CharField(max_length=63)
    title = models.CharField(max_length=253, blank=True)
    status = models.CharField(max_length=40, blank=True)
    cloud = models.CharField(max_length=63, blank=True)
    deploy_mode = models.CharField(max_length=63, blank=True)
    ci_name = models.CharField(max_length=253, blank=True)
    lab = models.ForeignKey(Lab, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["lab_code"]
        constraints = [
            models.UniqueConstraint(fields=["source", "lab_code"], name="scheduled_lab_unique")
        ]

    def __str__(self) -> str:
        return f"{self.lab_code} {self.title}"

    @property
    def slug(self) -> str:
        return self.ci_name.split(".", 1)[1] if "." in self.ci_name else self.ci_name


# --- AAP (8) ------------------------------------------------------------------------------------


class AapJob(models.Model):
    """A failed (or, for the SLI, counted) job of one automation controller."""

    class Kind(models.TextChoices):
        PROVISION = "provision", "Provision"
        DESTROY = "destroy", "Destroy"
        OTHER = "other", "Other"

    controller = models.CharField(max_length=63)
    job_id = models.BigIntegerField()
    name = models.CharField(max_length=400, help_text="The job template name.")
    status = models.CharField(max_length=20, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    lab_code = models.CharField(max_length=63, blank=True, db_index=True)
    catalog_item = models.CharField(max_length=253, blank=True, db_index=True)
    cluster = models.CharField(max_length=253, blank=True)
    failing_task = models.CharField(max_length=400, blank=True)
    error = models.CharField(max_length=400, blank=True, help_text="Secrets masked.")
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True, db_index=True)
    duration_minutes = models.FloatField(null=True, blank=True)
    job_url = models.URLField(max_length=400, blank=True)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-finished", "-job_id"]
        constraints = [
            models.UniqueConstraint(fields=["controller", "job_id"], name="aap_job_unique")
        ]

    def __str__(self) -> str:
        return f"{self.controller}#{self.job_id} {self.name} ({self.status})"


class AapSnapshot(models.Model):
    """Each AAP cycle's summary (8): counts, success rate and the provision SLI."""

    captured_at = models.DateTimeField(default=timezone.now, db_index=True)
    total_jobs = models.IntegerField(default=0)
    successful = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    running = models.IntegerField(default=0)
    success_rate = models.FloatField(default=0)
    provision_total = models.IntegerField(default=0)
    provision_successful = models.IntegerField(default=0)
    provision_sli = models.FloatField(default=0)
    sli_target = models.FloatField(default=93.0)
    sli_met = models.BooleanField(default=True)
    failed_24h = models.IntegerField(default=0)
    top_error = models.CharField(max_length=400, blank=True)
    by_cluster = models.JSONField(default=dict, blank=True)
    by_lab = models.JSONField(default=dict, blank=True)
    top_errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-captured_at"]

    def __str__(self) -> str:
        return f"AAP {self.captured_at:%Y-%m-%d %H:%M} SLI {self.provision_sli}"


# --- Demolition (9) -------------------------------------------------------------------------


class SmokeTestResult(models.Model):
    """A smoke-test run of a lab: pulled from Demolition or pushed to the inbound endpoint."""

    class Source(models.TextChoices):
        PULL = "pull", "Demolition (pulled)"
        PUSH = "push", "Pushed to StarGate"

    source = models.CharField(max_length=10, choices=Source.choices)
    reporter = models.CharField(max_length=100, blank=True, help_text="The push's `source` field.")
    session_id = models.CharField(max_length=100, blank=True, db_index=True)
    session_name = models.CharField(max_length=253, blank=True)
    lab_code = models.CharField(max_length=63, blank=True, db_index=True)
    catalog_item = models.CharField(max_length=253, blank=True, db_index=True)
    lab = models.ForeignKey(Lab, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lab_instance = models.ForeignKey(
        LabInstance, null=True, blank=True, on_delete=models.SET_NULL, related_name="smoke_tests"
    )
    guid = models.CharField("GUID", max_length=63, blank=True)
    cluster_name = models.CharField(max_length=253, blank=True)
    workshop_url = models.URLField(max_length=400, blank=True)
    status = models.CharField(max_length=40, blank=True)
    passed = models.BooleanField(null=True, help_text="None: no run yet.")
    worker_count = models.IntegerField(default=0)
    total = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    steps_passed = models.IntegerField(default=0)
    steps_failed = models.IntegerField(default=0)
    error_summary = models.CharField(max_length=500, blank=True, help_text="Secrets masked.")
    details = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-finished_at", "-pk"]

    def __str__(self) -> str:
        verdict = {True: "pass", False: "fail", None: "none"}[self.passed]
        return f"{self.lab_code or self.catalog_item} {verdict} ({self.source})"


# --- AgnosticV (12, 24.5) -------------------------------------------------------------------


class CatalogDefinition(models.Model):
    """One AgnosticV stage file, merged with its includes and parsed (12), with its complexity."""

    path = models.CharField(max_length=300, unique=True, help_text="<account>/<item>/<stage>.yaml")
    account = models.CharField(max_length=100)
    item = models.CharField(max_length=200, db_index=True)
    stage = models.CharField(max_length=40)
    catalog_item = models.CharField(
        max_length=253, db_index=True, help_text="<account>.<item>.<stage>"
    )
    commit = models.CharField(max_length=64, blank=True)
    display_name = models.CharField(max_length=253, blank=True)
    asset_uuid = models.CharField(max_length=63, blank=True)
    workloads = models.JSONField(default=list, blank=True)
    workload_count = models.IntegerField(default=0)
    collections = models.JSONField(default=list, blank=True, help_text="Pinned entries only.")
    worker_instance_count = models.IntegerField(default=0)
    ai_workers_cores = models.IntegerField(default=0)
    ai_workers_memory = models.CharField(max_length=40, blank=True)
    cloud_provider = models.CharField(max_length=63, blank=True)
    config = models.CharField(max_length=100, blank=True)
    ocp_version = models.CharField(max_length=40, blank=True)
    timeout_seconds = models.IntegerField(default=3600)
    components = models.JSONField(default=list, blank=True)
    operator_channels = models.JSONField(default=dict, blank=True)
    showroom_repo = models.CharField(max_length=400, blank=True)
    showroom_ref = models.CharField(max_length=200, blank=True)
    deployer = models.JSONField(default=dict, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    complexity_score = models.FloatField(default=0.0)
    complexity = models.JSONField(default=dict, blank=True, help_text="24.5 breakdown.")
    estimated_provision_minutes = models.IntegerField(default=0)
    resource_weight = models.FloatField(default=0.0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.path


# --- Sandbox API (10) -------------------------------------------------------------------------


class SandboxPlacement(models.Model):
    service_uuid = models.CharField(max_length=63, unique=True)
    status = models.CharField(max_length=40, blank=True)
    guid = models.CharField("GUID", max_length=63, blank=True, db_index=True)
    env_type = models.CharField(max_length=200, blank=True)
    display_name = models.CharField(max_length=253, blank=True)
    owner = models.CharField(max_length=253, blank=True)
    cloud_hint = models.CharField(max_length=50, blank=True)
    resources = models.JSONField(default=list, blank=True)
    annotations = models.JSONField(default=dict, blank=True, help_text="Redacted.")
    created_at_source = models.DateTimeField(null=True, blank=True)
    updated_at_source = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["service_uuid"]

    def __str__(self) -> str:
        return f"{self.service_uuid} ({self.status})"


class SandboxMetrics(models.Model):
    """One scrape of the Sandbox API's metrics text (10.1), with the deployment's replicas."""

    captured_at = models.DateTimeField(default=timezone.now, db_index=True)
    api_healthy = models.BooleanField(default=False)
    db_connections_active = models.IntegerField(default=0)
    db_connections_idle = models.IntegerField(default=0)
    queue_depth = models.IntegerField(default=0)
    queued_resources = models.IntegerField(default=0)
    ratelimit_by_cluster = models.JSONField(default=dict, blank=True)
    replicas_desired = models.IntegerField(null=True, blank=True)
    replicas_ready = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-captured_at"]

    def __str__(self) -> str:
        return f"Sandbox API {self.captured_at:%Y-%m-%d %H:%M} queue {self.queue_depth}"


# --- ZeroTouch (11) -------------------------------------------------------------------------


class ZeroTouchItem(models.Model):
    name = models.CharField(max_length=253, unique=True)
    display_name = models.CharField(max_length=253, blank=True)
    category = models.CharField(max_length=100, blank=True)
    provider = models.CharField(max_length=100, blank=True)
    disabled = models.BooleanField(default=False)
    seats_total = models.IntegerField(null=True, blank=True)
    seats_available = models.IntegerField(null=True, blank=True)
    seats_claimed = models.IntegerField(null=True, blank=True)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- Cluster scheduler, Prometheus, Alertmanager (13, 14) -----------------------------------


class ClusterUtilisation(models.Model):
    """CPU, memory and node figures of a cluster from the cluster scheduler or Prometheus."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="utilisation")
    source = models.CharField(max_length=40, choices=SourceName.choices)
    captured_at = models.DateTimeField(default=timezone.now, db_index=True)
    health_score = models.FloatField(null=True, blank=True)
    cpu_pct = models.FloatField(null=True, blank=True)
    memory_pct = models.FloatField(null=True, blank=True)
    critical_alerts = models.IntegerField(null=True, blank=True)
    unhealthy_nodes = models.IntegerField(null=True, blank=True)
    total_nodes = models.IntegerField(null=True, blank=True)
    vm_count = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-captured_at"]
        indexes = [models.Index(fields=["cluster", "source", "-captured_at"])]

    def __str__(self) -> str:
        return f"{self.cluster_id} {self.source} cpu {self.cpu_pct}"


class ClusterAlert(models.Model):
    """An Alertmanager alert or a Prometheus query hit: an observation (a signal), opened when first
    seen and closed when gone; never a rubric evaluation (14)."""

    class Kind(models.TextChoices):
        ALERT = "alert", "Alertmanager alert"
        QUERY = "query", "Prometheus query"

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=300, help_text="Fingerprint, or query name + series.")
    name = models.CharField(max_length=200, help_text="alertname or query name")
    failure_class = models.CharField(max_length=100, blank=True)
    severity = models.CharField(max_length=20, default="info")
    outcome = models.CharField(max_length=10, default="warn")
    namespace = models.CharField(max_length=253, blank=True)
    node = models.CharField(max_length=253, blank=True)
    subject = models.CharField(max_length=253, blank=True)
    value = models.FloatField(null=True, blank=True)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["cluster__name", "-last_seen"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "kind", "key"],
                condition=models.Q(closed_at__isnull=True),
                name="cluster_alert_open_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cluster} {self.name} ({self.severity})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


# --- Lab mappings (3.3) and AgnosticV constraint violations (12) ------------------------------


class LabMapping(models.Model):
    """A pattern that names the lab of a namespace, a pool or an AgnosticV path (3.3): derived
    from each Labagator lab, a GUID mapping from a claim or a placement, or written by hand
    (never replaced by a collector)."""

    class Source(models.TextChoices):
        LABAGATOR = "labagator", "Labagator lab"
        CLAIM = "claim", "ResourceClaim (GUID)"
        PLACEMENT = "placement", "Sandbox API placement (GUID)"
        MANUAL = "manual", "Written by hand"

    lab_code = models.CharField(
        max_length=63, unique=True, help_text="A Labagator code, or guid:<base guid>."
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    ci_name = models.CharField(max_length=253, blank=True)
    ci_base = models.CharField(max_length=200, blank=True)
    ci_slug = models.CharField(max_length=253, blank=True)
    namespace_pattern = models.CharField(max_length=253, blank=True, help_text="Shell-style glob.")
    pool_pattern = models.CharField(max_length=253, blank=True, help_text="Shell-style glob.")
    agnosticv_path = models.CharField(max_length=300, blank=True)
    cloud = models.CharField(max_length=63, blank=True)
    clusters = models.JSONField(default=list, blank=True)
    owner = models.CharField(max_length=253, blank=True)
    lab = models.ForeignKey(
        Lab, null=True, blank=True, on_delete=models.SET_NULL, related_name="mappings"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["lab_code"]

    def __str__(self) -> str:
        return f"{self.lab_code} ← {self.namespace_pattern or '-'}"

    def clean(self) -> None:
        from collectors.mappings import mapping_problems  # the rules live with the matching

        problems = mapping_problems(self.lab_code, self.namespace_pattern, self.pool_pattern)
        if problems:
            raise ValidationError(problems)


class ConstraintViolation(models.Model):
    """A lab whose scanned objects contradict its AgnosticV definition (12). One row per lab,
    type and subject while it holds; removed when it clears."""

    class Type(models.TextChoices):
        WORKLOAD_NOT_DEPLOYED = "workload_not_deployed", "Workload not deployed"
        OPERATOR_VERSION_DRIFT = "operator_version_drift", "Operator channel drift"
        SHOWROOM_WRONG_CONTENT = "showroom_wrong_content", "Showroom serves other content"
        SHOWROOM_WRONG_REF = "showroom_wrong_ref", "Showroom content at another ref"
        RESOURCE_BELOW_SPEC = "resource_below_spec", "OpenShift version differs"

    lab_code = models.CharField(max_length=63, db_index=True)
    lab = models.ForeignKey(
        Lab, null=True, blank=True, on_delete=models.CASCADE, related_name="constraint_violations"
    )
    definition_path = models.CharField(max_length=300, blank=True)
    violation_type = models.CharField(max_length=40, choices=Type.choices)
    subject = models.CharField(max_length=200, blank=True, help_text="Workload or operator.")
    expected = models.CharField(max_length=400, blank=True)
    actual = models.CharField(max_length=400, blank=True)
    severity = models.CharField(max_length=10, default="warning")
    detail = models.TextField(blank=True)
    correlated_stage = models.CharField(max_length=63, blank=True)
    correlated_failure_class = models.CharField(max_length=100, blank=True)
    detected_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["lab_code", "violation_type", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["lab_code", "violation_type", "subject"], name="constraint_violation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lab_code} {self.violation_type} {self.subject}".strip()

    def as_dict(self) -> dict[str, str]:
        """The spec's shape (12, 23.4)."""
        return {
            "lab_code": self.lab_code,
            "violation_type": self.violation_type,
            "subject": self.subject,
            "expected": self.expected,
            "actual": self.actual,
            "severity": self.severity,
            "detail": self.detail,
            "correlated_rubric_stage": self.correlated_stage,
            "correlated_failure_class": self.correlated_failure_class,
            "detected_at": self.detected_at.isoformat(),
        }
