"""The pipeline is queued once per burst of triggers: a run queued and not started yet reads
the events of every trigger after it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from incidents import tasks, triggers

pytestmark = pytest.mark.django_db


def test_triggers_queue_one_run_until_it_starts(settings, monkeypatch):
    settings.INCIDENTS_QUEUE_AFTER_COMMIT = True
    queued: list[str] = []
    monkeypatch.setattr(triggers, "async_task", lambda task, **kwargs: queued.append(task))
    monkeypatch.setattr(tasks, "events_process", lambda: type("Done", (), {"events": 0})())
    cache.delete(triggers.PENDING)

    for _ in range(5):  # five scan runs end before a worker takes the run
        triggers._enqueue()
    assert queued == [triggers.TASK]

    assert tasks.process_events() == 0  # the run starts: the next trigger queues another
    triggers._enqueue()
    triggers._enqueue()
    assert queued == [triggers.TASK, triggers.TASK]
    cache.delete(triggers.PENDING)
