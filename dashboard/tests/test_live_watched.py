"""A lab page's fragments are rendered only for labs some socket may be watching: a first scan
changes thousands of labs nobody has open."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import cache

from dashboard import live
from labs.models import Status
from labs.tests import factories
from stargate.realtime import lab_group

pytestmark = pytest.mark.django_db


def test_a_lab_page_is_rendered_only_once_a_socket_watched_it():
    watched, unseen = (factories.lab_instance(status=Status.FAILED) for _ in range(2))
    cache.delete_many([live._watch_key(watched.pk), live._watch_key(unseen.pk)])
    groups = [group for group, _ in live.lab_instance_fragments([watched.pk, unseen.pk])]
    assert not any(group.startswith("lab-") for group in groups)

    async_to_sync(live.lab_watch_mark)(watched.pk)  # what the lab page's socket does
    messages = dict(live.lab_instance_fragments([watched.pk, unseen.pk]))
    assert f'id="lab-{watched.pk}-summary"' in messages[lab_group(watched.pk, None)]
    assert lab_group(unseen.pk, None) not in messages


def test_every_lab_counts_as_watched_when_the_cache_fails(monkeypatch):
    def broken(keys):
        raise ConnectionError("cache down")

    monkeypatch.setattr(live.cache, "get_many", broken)
    assert live.labs_watched([1, 2]) == {1, 2}
