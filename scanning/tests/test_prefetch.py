from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from scanning.prefetch import ahead


class Source:
    """Counts the items produced, and whether it was closed, from the reading thread."""

    def __init__(self, count: int, *, fail_at: int | None = None) -> None:
        self.count, self.fail_at = count, fail_at
        self.produced = 0
        self.closed = False
        self.threads: set[str] = set()
        self.second = threading.Event()

    def items(self) -> Iterator[int]:
        try:
            for index in range(self.count):
                self.threads.add(threading.current_thread().name)
                if index == self.fail_at:
                    raise ValueError(f"page {index} is broken")
                self.produced += 1
                if self.produced == 2:
                    self.second.set()
                yield index
        finally:
            self.closed = True


def test_it_yields_every_item_in_order_from_another_thread() -> None:
    source = Source(7)
    assert list(ahead(source.items())) == list(range(7))
    assert source.threads == {"scan-read-ahead"}
    assert source.closed


def test_it_reads_one_item_ahead_and_no_more() -> None:
    source = Source(5)
    items = ahead(source.items())
    assert next(items) == 0
    # While the caller holds item 0, item 1 is read...
    assert source.second.wait(timeout=10)
    time.sleep(0.2)
    # ... and not item 2: two items alive at most.
    assert source.produced == 2
    assert next(items) == 1
    assert list(items) == [2, 3, 4]


def test_it_raises_the_sources_error_where_it_happened() -> None:
    source = Source(5, fail_at=3)
    seen: list[int] = []
    with pytest.raises(ValueError, match="page 3 is broken"):
        for item in ahead(source.items()):
            seen.append(item)
    assert seen == [0, 1, 2]
    assert source.closed


def test_it_stops_reading_when_the_caller_leaves_early() -> None:
    source = Source(100)
    for item in ahead(source.items()):
        if item == 2:
            break
    # The generator is closed when the loop is left: its thread is joined, the source closed.
    assert source.closed
    assert source.produced <= 4
    assert not any(t.name == "scan-read-ahead" for t in threading.enumerate())


def test_it_handles_an_empty_source() -> None:
    assert list(ahead(iter(()))) == []
