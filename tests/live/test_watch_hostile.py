"""``kaudit watch`` against hostile watch streams (``hostile_watch.py``): each bad stream is a
coverage gap for its type and a reconnection after the backoff, never a MemoryError, a dead
watcher thread or a hang; the gap ends when a stream delivers again."""

from __future__ import annotations

import pytest

from tests.live.conftest import Live, StartLive
from tests.live.helpers import flagged, gaps
from tests.live.hostile_watch import LINES, HostileWatch
from tests.live.test_watch import WIDGETS, sample, stuck_widget, watches_of
from tests.live.watching import Running, watching
from tests.live.watchstream import WatchHub

WIDGET_TYPE = "widgets.example.org"


@pytest.fixture
def hub_live(start_live: StartLive) -> tuple[Live, WatchHub]:
    live = start_live()
    return live, WatchHub(live.server)


def _threads_alive(run: Running) -> bool:
    watchers = [w for r, w in run.watch._watchers.items() if r.name == WIDGET_TYPE]
    return len(watchers) == 1 and all(t.is_alive() for t in watchers[0]._threads)


def _attack_and_recover(live: Live, hub: WatchHub, run: Running, hostile: HostileWatch,
                        reason: str, detail: str) -> None:
    widgets = hub.resource("widgets", "example.org")
    hub.wait_streams(9)
    before = len(watches_of(live, WIDGETS))
    live.server.behaviours.append(hostile)
    hub.drop_streams(widgets)  # the watcher reconnects, into the hostile answer
    run.wait(lambda: WIDGET_TYPE in gaps(run.findings()), "the gap")
    report = run.findings()
    gap = next(g for g in report["coverage"]["gaps"] if g["resource"] == WIDGET_TYPE)
    assert gap["reason"] == reason
    assert detail in gap["detail"]
    # Resumed after each bad stream, with the backoff: then the server behaves again.
    run.wait(lambda: hostile.served == hostile.times, "the reconnections")
    assert len(watches_of(live, WIDGETS)) >= before + hostile.times
    assert (sample(run, "kaudit_watch_restarts_total", resource=WIDGET_TYPE,
                   reason="error") or 0) >= hostile.times
    assert _threads_alive(run)
    # The gap holds until a stream delivers again, not merely until one opens.
    run.wait(lambda: len(watches_of(live, WIDGETS)) > before + hostile.times, "a good stream")
    assert WIDGET_TYPE in gaps(run.findings())
    hub.add(widgets, stuck_widget("after-the-attack"))
    run.wait(lambda: "Widget shop/after-the-attack" in flagged(run.findings(), "FN001"),
             "the change after the attack")
    run.wait(lambda: WIDGET_TYPE not in gaps(run.findings()), "the gap to end")
    assert _threads_alive(run)


@pytest.mark.parametrize("mode", sorted(LINES))
def test_a_line_that_is_not_an_event_is_a_gap_and_a_reconnection(
        hub_live: tuple[Live, WatchHub], mode: str) -> None:
    live, hub = hub_live
    detail = {"not-json": "not JSON", "object-not-a-mapping": "without an object",
              "metadata-not-a-mapping": "metadata is a str",
              "name-not-a-string": "metadata.name is not a string",
              "version-not-a-string": "metadata.resourceVersion is not a string",
              "labels-not-strings": "metadata.labels does not map strings to strings",
              "nested-too-deep": "nested deeper than"}[mode]
    with watching(select=("FN001",)) as run:
        _attack_and_recover(live, hub, run, HostileWatch(WIDGETS, mode), "watch bad response",
                            detail)


def test_an_endless_line_is_cut_at_the_event_cap(hub_live: tuple[Live, WatchHub]) -> None:
    live, hub = hub_live
    hostile = HostileWatch(WIDGETS, "endless")
    with watching(select=("FN001",)) as run:
        _attack_and_recover(live, hub, run, hostile, "watch bad response",
                            "a watch event is over")
    # Read up to the 16 MiB event cap (plus what the sockets buffer), never the whole 64 MiB.
    assert hostile.sent and max(hostile.sent) < 32 * 1024 * 1024


@pytest.mark.parametrize(("mode", "detail"), [("silent", "silent for 1.5 s"),
                                              ("drip", "still open 2 s after")])
def test_a_stream_silent_or_dripping_past_its_timeout_is_resumed(
        hub_live: tuple[Live, WatchHub], mode: str, detail: str) -> None:
    live, hub = hub_live
    # Streams asked for 1 s: one silent for 1.5 s, or still open after 2 s, is broken.
    hostile = HostileWatch(WIDGETS, mode, seconds=10.0)
    with watching(select=("FN001",), watch_timeout=1, grace=0.5) as run:
        _attack_and_recover(live, hub, run, hostile, "watch timeout", detail)
    # Each hostile stream was given up after 2 s, not held for its 10 s.
    if mode == "drip":
        assert hostile.sent and max(hostile.sent) < 60
