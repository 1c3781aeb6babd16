from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stargate.apikeys import SCOPES, api_key_create


class Command(BaseCommand):
    help = "Create an API key for a program; the token is printed once and never stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--user", required=True, help="The key acts as this user.")
        parser.add_argument("--scope", action="append", choices=SCOPES, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            owner = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {options['user']!r}") from None
        created = api_key_create(name=options["name"], owner=owner, scopes=options["scope"])
        self.stdout.write(created.token)
        self.stderr.write("Copy this key now: it is not stored and will not be shown again.")
