"""Signals the ground floor sends and the apps above connect to (it imports none of them)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `user` and `groups` (the user's SSO groups) at each SSO login; `labs` keeps the
# user's team memberships from it (labs.apps).
sso_groups_received = Signal()
