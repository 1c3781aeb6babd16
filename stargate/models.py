from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiKey(models.Model):
    """A credential for programs. Only a SHA-256 digest of the secret is stored; the secret itself
    is shown once, at creation."""

    class Scope(models.TextChoices):
        READ = "read", "Read"
        APPROVE = "approve", "Approve actions"
        ADMIN = "admin", "Administer"

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_keys"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ConfigChange(models.Model):
    """One change to an audited configuration row (see `stargate.configaudit.AUDITED`): who,
    when, and each audited field before and after. Append-only; never pruned."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        DELETED = "deleted", "Deleted"

    class Source(models.TextChoices):
        ADMIN = "admin", "Admin"
        WEB = "web", "Page"
        API = "api", "API"
        COMMAND = "command", "Command"
        TASK = "task", "Task"
        SYSTEM = "system", "System"

    model = models.CharField(max_length=100, db_index=True, help_text="app_label.model")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=Action.choices)
    changes = models.JSONField(default=dict, help_text='{field: {"before": value, "after": value}}')
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.CharField(
        max_length=150, help_text="Username, or system:<command> / task:<function>."
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["model", "object_id", "-at"], name="configchange_object")]

    def __str__(self) -> str:
        when = f"{self.at:%Y-%m-%d %H:%M:%S}"
        return f"{when} {self.actor} {self.action} {self.model} {self.object_repr}"


class LiveEvent(models.Model):
    """A broadcast recorded for the web process to relay (`stargate.relay`): its topic and the ids
    of what changed (lab instances, action requests; none when only the fleet summary changed).

    Only used with the in-memory channel layer (embedded mode), where a worker process cannot reach
    the web process's websockets: the web process polls this table and relays new rows.
    """

    topic = models.CharField(max_length=50)
    ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"live event {self.pk}: {self.topic}, {len(self.ids)} id(s)"


class MetricCounter(models.Model):
    """A durable, monotonic total (`stargate.counters`): incremented in the transaction of the
    event it counts, never decremented and never pruned, so `/metrics` counters never go down
    when retention deletes the rows they counted."""

    name = models.CharField(max_length=100)
    labels = models.CharField(max_length=500, help_text="Canonical JSON of the label set.")
    value = models.FloatField(default=0.0)

    class Meta:
        ordering = ["name", "labels"]
        constraints = [
            models.UniqueConstraint(fields=["name", "labels"], name="metriccounter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}{self.labels} = {self.value:g}"
