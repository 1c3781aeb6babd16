"""Reading ahead: the next list page is fetched in a background thread while the scan works
on the current one.

A scan alternates between waiting for the API server (which serializes the page, in another
process) and working on what it read (grouping, digesting, packing). `ahead` overlaps the two:
while the caller works on item k, a thread produces item k+1 (an HTTP GET, which releases the
GIL while it waits, and its parse). The thread produces the next item only once the caller took
the previous one, so at most two items are alive at once: the caller's and the one being read.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_END = object()  # the producer's last message when the source is exhausted


def ahead(source: Iterator[T]) -> Iterator[T]:
    """The items of `source`, in order, each produced while the caller works on the one
    before. An exception of `source` is raised here, at the item it replaced. Leaving the loop
    early (break, exception) stops the thread once its current item is produced; the thread
    touches nothing but `source`, so `source` must not use the database."""
    slot: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(maxsize=1)
    taken = threading.Semaphore(0)  # released each time the caller takes an item
    stopped = threading.Event()
    thread = threading.Thread(
        target=_produce, args=(source, slot, taken, stopped), name="scan-read-ahead", daemon=True
    )
    thread.start()
    try:
        while True:
            item, error = slot.get()
            if error is not None:
                raise error
            if item is _END:
                return
            taken.release()  # the next item is read while the caller works on this one
            yield item  # type: ignore[misc]  # every item but _END came from `source`
            del item
    finally:
        stopped.set()
        taken.release()
        thread.join()


def _produce(
    source: Iterator[T],
    slot: queue.Queue[tuple[object, BaseException | None]],
    taken: threading.Semaphore,
    stopped: threading.Event,
) -> None:
    try:
        for item in source:
            slot.put((item, None))
            del item
            taken.acquire()
            if stopped.is_set():
                return
        slot.put((_END, None))
    except BaseException as exc:  # handed to the caller's thread, raised there
        slot.put((None, exc))
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
