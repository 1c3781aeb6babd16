"""Error reports (the DEBUG page, the admins' error mails) without the Redis URL or any other
credential in a setting."""

from __future__ import annotations

from typing import Any

from django.views.debug import SafeExceptionReporterFilter

from stargate.lib.redact import redact_text


class RedactingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter masks settings named like secrets; the Redis URL sits under harmless
    names (CACHES' LOCATION, CHANNEL_LAYERS' hosts, Q_CLUSTER's redis): those settings are
    masked whole, and every other string setting has its URL credentials and tokens masked."""

    MASKED_SETTINGS = frozenset({"CACHES", "CHANNEL_LAYERS", "Q_CLUSTER", "REDIS_URL"})

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        if key in self.MASKED_SETTINGS:
            return self.cleansed_substitute
        cleansed = super().cleanse_setting(key, value)
        return redact_text(cleansed) if isinstance(cleansed, str) else cleansed
