from __future__ import annotations

import pytest

from recommendations.tests.conftest import Demo, make_demo


@pytest.fixture
def demo(db: None) -> Demo:
    """The low pool before a session (recommendations' demo): the API reads the same data."""
    return make_demo()
