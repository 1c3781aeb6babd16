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
