"""The deadline watchdog: fires what is due, never what was disarmed (outcomes only; the
waits below are upper bounds for a loaded machine, not measurements)."""

from __future__ import annotations

import threading
import time

from kaudit.live.deadline import Deadline, Watchdog, earliest


def test_earliest_picks_the_first_deadline_and_its_reason() -> None:
    request = Deadline(10.0, "timeout", "request")
    scan = Deadline(5.0, "scan timeout", "scan")
    assert earliest(request, None, scan) is scan
    assert earliest(None) is None


def test_a_due_action_fires_and_a_disarmed_one_never_does() -> None:
    watchdog = Watchdog()
    cancelled = threading.Event()
    entry = watchdog.arm(time.monotonic() + 3600, cancelled.set)
    watchdog.disarm(entry)
    watchdog.disarm(entry)  # twice is harmless
    fired = threading.Event()
    watchdog.arm(time.monotonic() - 1, fired.set)
    assert fired.wait(10)
    assert not cancelled.is_set()


def test_disarming_after_firing_is_harmless_and_the_watchdog_restarts() -> None:
    watchdog = Watchdog()
    first = threading.Event()
    entry = watchdog.arm(time.monotonic() - 1, first.set)
    assert first.wait(10)
    watchdog.disarm(entry)  # the request ended after its deadline fired
    second = threading.Event()
    watchdog.arm(time.monotonic() - 1, second.set)
    assert second.wait(10)
