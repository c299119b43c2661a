"""Deadlines that bound a whole request, a whole resource type and the whole scan.

urllib3's timeouts bound each socket operation, not a request: a server that sends one byte a
second never trips a 30-second read timeout and holds the scan for ever. So every request gets
an absolute deadline (the earliest of its own ``--timeout``, its resource type's and the
scan's), and a ``Watchdog`` thread cuts the connection of a request still running when its
deadline passes. The cut request fails with the reason of the deadline that passed.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Deadline:
    """An instant on the monotonic clock, and what a coverage gap says when it passes."""

    at: float
    reason: str
    """The gap's reason word: ``timeout`` (one request, one type) or ``scan timeout``."""
    detail: str

    @classmethod
    def after(cls, seconds: float, reason: str, detail: str,
              clock: Clock = time.monotonic) -> Deadline:
        return cls(clock() + seconds, reason, detail)

    def remaining(self, clock: Clock = time.monotonic) -> float:
        return self.at - clock()


def earliest(*deadlines: Deadline | None) -> Deadline | None:
    """The first of ``deadlines`` to pass (the one whose reason a cut request reports)."""
    given = [d for d in deadlines if d is not None]
    return min(given, key=lambda d: d.at) if given else None


class Watchdog:
    """Runs an action when its deadline passes, unless disarmed first. One thread serves
    every request of a scan; it exits when nothing is armed and restarts on demand."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._cond = threading.Condition()
        self._heap: list[list[object]] = []
        self._order = itertools.count()
        self._running = False
        self._armed = 0

    def arm(self, at: float, action: Callable[[], None]) -> list[object]:
        entry: list[object] = [at, next(self._order), action]
        with self._cond:
            heapq.heappush(self._heap, entry)
            self._armed += 1
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="kaudit-deadlines",
                                 daemon=True).start()
            self._cond.notify()
        return entry

    def disarm(self, entry: list[object]) -> None:
        with self._cond:
            if entry[2] is None:
                return
            entry[2] = None
            self._armed -= 1
            if not self._armed:
                # Nothing left to watch: let the thread go now rather than sleep until the
                # last (already disarmed) deadline.
                self._heap.clear()
                self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._heap and self._heap[0][2] is None:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._running = False
                    return
                wait = float(self._heap[0][0]) - self._clock()  # type: ignore[arg-type]
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                entry = heapq.heappop(self._heap)
                action, entry[2] = entry[2], None  # fired: a later disarm is a no-op
                self._armed -= 1
            if callable(action):
                action()
