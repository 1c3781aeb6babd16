from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse

from labs.credentials import CredentialsError, connection_check
from labs.probe_scope import ProbeScope, domains_parse, networks_parse, probe_scope_of
from stargate.lib.dns import DNS_LABEL_MESSAGE, DNS_LABEL_RE

DNS_LABEL = RegexValidator(DNS_LABEL_RE.pattern, DNS_LABEL_MESSAGE)


class Status(models.TextChoices):
    """A lab's readiness, worst first when sorted by `severity`."""

    FAILED = "failed", "Failed"
    STALE = "stale", "Stale"
    UNKNOWN = "unknown", "Unknown"
    WARN = "warn", "Warn"
    PROGRESSING = "progressing", "Progressing"
    READY = "ready", "Ready"


STATUS_SEVERITY = {
    Status.READY: 0,
    Status.PROGRESSING: 1,
    Status.WARN: 2,
    Status.UNKNOWN: 3,
    Status.STALE: 4,
    Status.FAILED: 5,
}


def status_rank() -> models.Case:
    """A lab's status as its place in the triage order, worst first: 0 for Failed, then Stale,
    Unknown, Warn, Progressing, 5 for Ready. The labs table sorts by it (`status_rank`), and the
    `labinstance_triage` index holds the same expression, so the default order reads one page."""
    whens = [models.When(status=s, then=models.Value(i)) for i, s in enumerate(Status.values)]
    return models.Case(*whens, default=models.Value(len(whens)), output_field=models.IntegerField())


class Cluster(models.Model):
    """An OpenShift cluster StarGate scans. Credentials are file paths, never stored secrets."""

    name = models.CharField(max_length=63, unique=True, validators=[DNS_LABEL])
    api_url = models.URLField("API URL", max_length=300)
    kubeconfig_path = models.CharField(max_length=500, blank=True)
    token_file = models.CharField(max_length=500, blank=True)
    ca_bundle_path = models.CharField("CA bundle path", max_length=500, blank=True)
    verify_tls = models.BooleanField("verify TLS", default=True)
    insecure_lab = models.BooleanField(
        "insecure lab cluster",
        default=False,
        help_text="Allow a plain http:// API (test and lab clusters only, never production).",
    )
    simulated = models.BooleanField(
        default=False,
        help_text="A cluster of StarGate's simulator: showroom probes go to its loopback pages.",
    )
    application_domains = models.TextField(
        blank=True,
        help_text="Comma-separated domains showroom probes may reach (e.g. "
        "apps.ocp-east-1.example.com); the ingress domain learned from the cluster is added.",
    )
    ingress_domain = models.CharField(
        max_length=253, blank=True, help_text="Learned from the cluster's Ingress config."
    )
    probe_private_networks = models.TextField(
        blank=True,
        help_text="Comma-separated private networks (CIDR) the application domains resolve to "
        "(on-premises VIPs); other private addresses are never probed.",
    )
    enabled = models.BooleanField(default=True)
    is_hub = models.BooleanField(
        "Babylon hub",
        default=False,
        help_text="A Babylon/Poolboy control plane the collectors read. When no cluster is "
        "marked, each scanned cluster is its own hub.",
    )
    labels = models.JSONField(default=dict, blank=True, help_text='e.g. {"purpose": "dev"}')
    tier1_interval = models.PositiveIntegerField(
        "tier 1 interval (min)", default=5, validators=[MinValueValidator(1)]
    )
    tier2_interval = models.PositiveIntegerField(
        "tier 2 interval (min)", default=5, validators=[MinValueValidator(1)]
    )
    tier3_interval = models.PositiveIntegerField(
        "tier 3 interval (min)", default=15, validators=[MinValueValidator(1)]
    )
    tier4_interval = models.PositiveIntegerField(
        "tier 4 interval (min)", default=60, validators=[MinValueValidator(1)]
    )
    # Reachability, maintained by the scanner.
    reachable = models.BooleanField(default=True)
    unreachable_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    api_latency_ms = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("labs:cluster_detail", args=[self.name])

    def clean(self) -> None:
        super().clean()
        try:
            connection_check(self)
        except CredentialsError as exc:
            raise ValidationError({exc.field: exc.message}) from exc
        for field, parse in (
            ("application_domains", domains_parse),
            ("probe_private_networks", networks_parse),
        ):
            try:
                parse(getattr(self, field))
            except ValueError as exc:
                raise ValidationError({field: str(exc)}) from exc

    def probe_scope(self) -> ProbeScope:
        """Where this cluster's showroom probes may go (see `scanning.probe_guard`)."""
        return probe_scope_of(
            application_domains=self.application_domains,
            ingress_domain=self.ingress_domain,
            networks=self.probe_private_networks,
        )


class Team(models.Model):
    """A group of people owning catalog items (by `catalog_item_patterns`) and so their labs;
    SSO groups map to teams by `sso_group`. Members see their team's labs only, unless the team
    is one of platform operators (`platform_operators`), whose members see every lab."""

    name = models.CharField(max_length=100, unique=True)
    sso_group = models.CharField("SSO group", max_length=200, blank=True, db_index=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")
    catalog_item_patterns = models.TextField(
        blank=True,
        help_text="One shell-style pattern a line (e.g. rhpds.ocp4-workshop-*): new catalog "
        "items matching one get this team; saving the team gives it the matching catalog items "
        "that have no team yet. An admin's choice of a catalog item's team is never overridden.",
    )
    platform_operators = models.BooleanField(
        default=False, help_text="Members see every team's labs (as the view_all_labs permission)."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def patterns(self) -> list[str]:
        return [line.strip() for line in self.catalog_item_patterns.splitlines() if line.strip()]

    def pattern_for(self, catalog_item: str) -> str | None:
        """The longest of this team's patterns that `catalog_item` matches, if any."""
        found = [p for p in self.patterns() if fnmatchcase(catalog_item, p)]
        return max(found, key=len) if found else None


class Lab(models.Model):
    """A catalog item: what attendees get, and how far StarGate may fix it on its own."""

    class ExecutionMode(models.TextChoices):
        RECOMMEND_ONLY = "recommend_only", "Recommend only"
        LOW_RISK_AUTO = "low_risk_auto", "Low-risk auto"
        FULL_AUTO = "full_auto", "Full auto"

    catalog_item = models.CharField(max_length=200, unique=True)
    display_name = models.CharField(max_length=200, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="labs"
    )
    execution_mode = models.CharField(
        max_length=20, choices=ExecutionMode.choices, default=ExecutionMode.RECOMMEND_ONLY
    )
    max_actions_per_hour = models.PositiveIntegerField(default=3)
    requires_guest_agent = models.BooleanField(
        default=False, help_text="Fail, rather than warn, when a VM's guest agent is not connected."
    )

    class Meta:
        ordering = ["catalog_item"]

    def __str__(self) -> str:
        return self.display_name or self.catalog_item

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # Its instances' copy of the team (see `LabInstance.team`).
        instances = LabInstance.objects.filter(lab_id=self.pk)
        if self.team_id is None:
            instances.exclude(team__isnull=True).update(team=None)
        else:
            instances.exclude(team_id=self.team_id).update(team_id=self.team_id)


class LabInstance(models.Model):
    """One lab namespace on one cluster (one attendee's sandbox)."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="lab_instances")
    namespace = models.CharField(max_length=63, validators=[DNS_LABEL])
    guid = models.CharField("GUID", max_length=63, blank=True, db_index=True)
    # Indexed by `Meta.indexes`, each led by the column a labs table filter matches and followed
    # by the table's default order, so that one page of a filtered table reads one page of rows.
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, related_name="instances", db_index=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNKNOWN)
    failure_class = models.CharField(max_length=100, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the namespace was found gone (lab torn down)."
    )
    # A copy of `lab.team`, kept by `labs.services` and the Lab's save, for one index only: a
    # team member's labs table in triage order (`labinstance_team_triage`). Who sees a lab is
    # always decided by `lab.team` (`labs.selectors`); a stale copy could hide a row from that
    # table, never show one.
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        editable=False,
    )

    class Meta:
        ordering = ["cluster__name", "namespace"]
        permissions = [("view_all_labs", "Can see every team's labs (platform operator)")]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "namespace"], name="labinstance_unique_ns")
        ]
        indexes = [
            models.Index(fields=["status", "cluster", "namespace"], name="labinstance_status"),
            models.Index(fields=["lab", "cluster", "namespace"], name="labinstance_lab"),
            models.Index(
                fields=["failure_class", "cluster", "namespace"], name="labinstance_class"
            ),
            models.Index(fields=["-status_changed_at"]),
            # The labs table's default order: worst first, most recent change first.
            models.Index(
                status_rank(),
                models.F("status_changed_at").desc(),
                name="labinstance_triage",
                condition=models.Q(deleted_at__isnull=True),
            ),
            # A team member's labs table: one team's labs, worst first, read in order.
            models.Index(
                models.F("team"),
                status_rank(),
                models.F("status_changed_at").desc(),
                name="labinstance_team_triage",
                condition=models.Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cluster.name}/{self.namespace}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and self.lab_id is not None and self.team_id is None:
            self.team_id = self.lab.team_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("labs:lab_instance_detail", args=[self.pk])

    @property
    def catalog_item(self) -> str:
        return self.lab.catalog_item
