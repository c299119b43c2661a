"""How several clusters are read: bounded concurrency, order kept, failures returned."""

from __future__ import annotations

import threading
import time

import pytest

from kaudit.live import LiveError, LiveOptions
from kaudit.live import fleet as fleet_module


def test_at_most_workers_clusters_are_read_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    running = peak = 0
    lock = threading.Lock()

    def read(options: LiveOptions) -> object:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        if options.context == "c3":
            raise LiveError("connection refused")
        return options.context

    monkeypatch.setattr(fleet_module, "read_cluster", read)
    reads = fleet_module.read_clusters([f"c{i}" for i in range(10)], LiveOptions(), workers=3)
    assert peak <= 3
    assert [r.context for r in reads] == [f"c{i}" for i in range(10)]
    assert [r.context for r in reads if r.read is None] == ["c3"]
    assert reads[3].error == "connection refused"


def test_contexts_from_a_file(tmp_path: object) -> None:
    from pathlib import Path

    listed = Path(str(tmp_path)) / "c.txt"
    listed.write_text("# fleet\n a \n\nb # comment\na\n")
    assert fleet_module.contexts_from(listed) == ["a", "b"]
    listed.write_text("# nothing\n")
    with pytest.raises(LiveError, match="no context"):
        fleet_module.contexts_from(listed)
