"""Driving ``kaudit watch`` in-process against the loopback API server with watch streams."""

from __future__ import annotations

import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from prometheus_client.parser import text_string_to_metric_families

from kaudit.engine import EngineSettings
from kaudit.live import LiveOptions
from kaudit.rules.registry import load_catalogue
from kaudit.watch import Watch, WatchConfig

WAIT = 20.0
"""Seconds a test waits for the watcher to reach a state (generous: the machine is shared;
nothing asserts on speed)."""


@dataclass
class Running:
    watch: Watch
    stop: threading.Event
    lines: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        assert self.watch.server is not None
        host, port = self.watch.server.address
        return f"http://{host}:{port}"

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def findings(self) -> dict[str, Any]:
        status, body = self.get("/findings")
        assert status == 200, body
        return orjson.loads(body)

    def metrics(self) -> dict[str, list[Any]]:
        """Metric family name -> samples, parsed by prometheus_client's own parser."""
        status, body = self.get("/metrics")
        assert status == 200
        return {f.name: f.samples for f in text_string_to_metric_families(body.decode())}

    def wait(self, check: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    def evaluations_after(self, version: int) -> bool:
        latest = self.watch.latest()
        return latest is not None and latest.version >= version

    def settle(self) -> None:
        """Wait until the latest evaluation saw every change the store holds."""
        store = self.watch.store
        assert store is not None
        self.wait(lambda: self.evaluations_after(store.version), "an up-to-date evaluation")


@contextmanager
def watching(context: str = "loopback", *, resync: float = 3600.0,
             select: tuple[str, ...] = (), rule_options: dict[str, Any] | None = None,
             namespace: str | None = None, **config: Any) -> Iterator[Running]:
    """Run ``kaudit watch`` on a thread until the block ends; fail if it did not stop."""
    lines: list[dict[str, Any]] = []
    options = LiveOptions(context=context, timeout=5.0, progress=False, namespace=namespace)
    settings = EngineSettings(now=datetime.now(UTC), select=select,
                              options=rule_options or {})
    config.setdefault("debounce", 0.05)
    watch = Watch(WatchConfig(live=options, listen=("127.0.0.1", 0),
                              resync=resync, backoff=0.05, max_backoff=0.2, **config),
                  load_catalogue([]), settings, lines.append)
    stop = threading.Event()
    errors: list[BaseException] = []

    def target() -> None:
        try:
            watch.run(stop)
        except BaseException as exc:  # surfaced to the test below
            errors.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    running = Running(watch, stop, lines)
    try:
        running.wait(lambda: watch.latest() is not None or bool(errors), "the first evaluation")
        if errors:
            raise errors[0]
        yield running
    finally:
        stop.set()
        thread.join(15)
        assert not thread.is_alive(), "kaudit watch did not stop"
    if errors:
        raise errors[0]
