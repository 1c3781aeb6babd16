from __future__ import annotations

import pytest

from stargate.lib.durations import duration_text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.85, "850 ms"),
        (4.2, "4.20 s"),
        (42.12448200007657, "42.1 s"),
        (60, "1 min"),
        (190, "3 min 10 s"),
        (7200, "2 h"),
        (7500, "2 h 5 min"),
        (3 * 86400 + 4 * 3600, "3 d 4 h"),
    ],
)
def test_it_reads_as_people_say_it(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text
