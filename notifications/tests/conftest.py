from __future__ import annotations

from collections.abc import Iterator

import pytest

from remediation.tests.conftest import catalog  # noqa: F401 - the action catalog fixture
from simulator.receivers import Receiver

WEBHOOK_SECRET = "s3cret-hmac-key"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(webhook_secret=WEBHOOK_SECRET) as running:
        yield running
