from __future__ import annotations

from django.db import models


class Delivery(models.Model):
    status = models.CharField(max_length=20)

    class Meta:
        app_label = "notifications"

    def __str__(self) -> str:
        return self.status
