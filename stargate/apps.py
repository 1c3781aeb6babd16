from __future__ import annotations

from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class StargateConfig(AppConfig):
    """The project package doubles as the app for platform concerns: API keys, health probes,
    the configuration audit and retention."""

    name = "stargate"
    verbose_name = "StarGate platform"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from stargate import configaudit, sockets
        from stargate.seams import seams_importable

        configaudit.connect()
        checks.register(seams_importable)

        user_model = get_user_model()
        post_save.connect(sockets.user_saved, sender=user_model, dispatch_uid="sockets-save")
        post_delete.connect(sockets.user_deleted, sender=user_model, dispatch_uid="sockets-del")
        self._embedded_data_dir_prepare()

    def _embedded_data_dir_prepare(self) -> None:
        database = settings.DATABASES["default"]
        if database["ENGINE"].endswith("sqlite3") and not settings.DATABASE_URL:
            from stargate.lib.datadir import data_dir_prepare

            data_dir_prepare(Path(settings.DATA_DIR), Path(database["NAME"]))
