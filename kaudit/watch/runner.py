"""``kaudit watch``: list once, follow watch streams, re-evaluate as the cluster changes.

The loop: discover and list every readable type (as ``scan`` does, concurrently), start one
watcher per type, evaluate, then wait. A change wakes the loop, which waits ``debounce``
seconds more so a burst of events (a rollout touching hundreds of pods) costs one evaluation,
and evaluates the whole snapshot again. Without changes it still evaluates every ``resync``
seconds, because time alone turns a slow deletion into a stuck one.

Why a full evaluation: rules read the whole snapshot and the graph (a change to one
ReplicaSet can change findings on its Deployment, its Pods, an HPA, a PDB); the store keeps
objects and their identities so nothing is listed again, and the snapshot shares every
unchanged object with the previous one. The cost of one change on a 100k-object cluster is
measured by ``bench/watch_bench.py`` (README, *Watching a cluster*). Every ``rediscover``
seconds the API is discovered again, so a CRD installed meanwhile is listed and watched.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from kaudit.config import ConfigRef
from kaudit.engine import EngineSettings
from kaudit.live.discovery import ApiResource, aggregated_roots, discover
from kaudit.live.errors import FetchError, LiveError
from kaudit.live.listing import ListOutcome, list_resource
from kaudit.live.scan import LiveOptions
from kaudit.live.watch import TypeWatcher, WatchSettings
from kaudit.rules.registry import Catalogue
from kaudit.snapshot import SourceInfo
from kaudit.watch.observer import Evaluation, LogLine, Observer
from kaudit.watch.server import StatusServer, WatchMetrics
from kaudit.watch.store import ObjectStore

if TYPE_CHECKING:
    from kaudit.live.transport import Transport

TICK = 0.25
"""Seconds between checks of the stop flag while waiting."""


@dataclass(frozen=True)
class WatchConfig:
    live: LiveOptions
    listen: tuple[str, int] | None = ("127.0.0.1", 9847)
    debounce: float = 2.0
    resync: float = 60.0
    watch_timeout: int = 300
    backoff: float = 0.5
    max_backoff: float = 30.0
    grace: float = 30.0
    """Seconds past ``watch_timeout`` a stream may stay silent or open before it is resumed
    as broken (``WatchSettings.grace``)."""
    compare_after: timedelta = timedelta(minutes=5)
    rediscover: float = 300.0
    """Seconds between discoveries: types added since (a new CRD) are listed and watched,
    types no longer served are dropped."""
    config: ConfigRef | None = None
    """The config file that shaped the rules, named in ``/findings`` as ``scan`` names it."""


class Watch:
    def __init__(self, config: WatchConfig, catalogue: Catalogue, settings: EngineSettings,
                 log: LogLine) -> None:
        self.config = config
        self.log = log
        self.observer = Observer(catalogue, settings, compare_after=config.compare_after,
                                 log=log, config=config.config)
        self.store: ObjectStore | None = None
        self.server: StatusServer | None = None
        self.transport: Transport | None = None
        self._healthy = True
        self._watchers: dict[ApiResource, TypeWatcher] = {}
        self.listening = threading.Event()
        """Set once ``--listen`` answers (tests wait for it)."""

    def latest(self) -> Evaluation | None:
        return self.observer.latest

    def run(self, stop: threading.Event) -> int:
        """Watch until ``stop`` is set; 0 then. ``LiveError`` when the cluster cannot be read
        at all."""
        from kaudit.live.kubeconfig import load_target
        from kaudit.live.transport import Transport

        live = self.config.live
        # A pool sized before discovery may be outgrown by one stream per type; urllib3 then
        # discards the extra connections with a logged warning, which would land among the
        # JSON lines on stderr. Its log is not kaudit's output.
        logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
        target = load_target(live.kubeconfig, live.context)
        self.transport = transport = Transport(
            target, qps=live.qps, burst=live.burst, timeout=live.timeout,
            pool_size=live.workers + 256)  # list workers plus one connection per stream
        metrics = WatchMetrics(self.latest, self._counters)
        if self.config.listen is not None:
            self.server = StatusServer(self.config.listen, metrics, self.latest,
                                       lambda: self._healthy).start()
        self.listening.set()
        source = target.context or target.server
        try:
            store, outcomes = self._list(transport, source, target.server)
            if stop.is_set():
                return 0
            for outcome in outcomes:
                self._follow(transport, store, outcome, source)
            del outcomes  # the store holds the objects now
            self._loop(store, stop, metrics, lambda: self._rediscover(transport, store, source))
        finally:
            for watcher in self._watchers.values():
                watcher.stop.set()
                watcher.close()
            for watcher in self._watchers.values():
                watcher.join(2.0)
            if self.server is not None:
                self.server.stop()
        return 0

    def _list(self, transport: Transport, source: str,
              server: str) -> tuple[ObjectStore, list[ListOutcome]]:
        live = self.config.live
        with ThreadPoolExecutor(live.workers, thread_name_prefix="kaudit-list") as pool:
            try:
                found = discover(transport.get, pool, fetch_roots=aggregated_roots(transport.get))
            except FetchError as exc:
                raise LiveError(f"cannot read the cluster at {server}: {exc}") from None
            outcomes = list(pool.map(
                lambda r: list_resource(transport, r, source=f"{source}:{r.name}",
                                        namespace=live.namespace, page_size=live.page_size),
                found.resources))
        if not any(o.gap is None for o in outcomes):
            raise LiveError(f"nothing could be read from {server}: no resource type could "
                            "be listed")
        store = ObjectStore(found.resources, found.gaps,
                            SourceInfo("live", context=live.context or source, server=server),
                            live.namespace)
        for outcome in outcomes:
            store.replace(outcome.resource, outcome)
        self.store = store
        return store, outcomes

    def _follow(self, transport: Transport, store: ObjectStore, listed: ListOutcome,
                source: str) -> None:
        """Start watching one listed type (with its own stop, so a type that disappears from
        discovery can be dropped alone)."""
        config = self.config
        settings = WatchSettings(namespace=config.live.namespace,
                                 page_size=config.live.page_size,
                                 timeout_seconds=config.watch_timeout, backoff=config.backoff,
                                 max_backoff=config.max_backoff, grace=config.grace)
        resource = listed.resource
        watcher = TypeWatcher(transport, resource, listed, store, settings, threading.Event(),
                              f"{source}:{resource.name}")
        watcher.start()
        self._watchers[resource] = watcher

    def _rediscover(self, transport: Transport, store: ObjectStore, source: str) -> None:
        """Discover again; list and watch new types, drop the ones no longer served."""
        live = self.config.live
        with ThreadPoolExecutor(live.workers, thread_name_prefix="kaudit-list") as pool:
            try:
                found = discover(transport.get, pool, fetch_roots=aggregated_roots(transport.get))
            except FetchError:
                return  # the roots failed: keep what is known, try again next time
            served = set(found.resources)
            gone = [r for r in self._watchers if r not in served]
            new = [r for r in found.resources if r not in self._watchers]
            store.retype(found.resources, found.gaps)
            for resource in gone:
                watcher = self._watchers.pop(resource)
                watcher.stop.set()
                watcher.close()
            outcomes = list(pool.map(
                lambda r: list_resource(transport, r, source=f"{source}:{r.name}",
                                        namespace=live.namespace, page_size=live.page_size),
                new))
        for outcome in outcomes:
            store.replace(outcome.resource, outcome)
            self._follow(transport, store, outcome, source)

    def _loop(self, store: ObjectStore, stop: threading.Event, metrics: WatchMetrics,
              rediscover: Callable[[], None]) -> None:
        seen = -1
        last = 0.0
        discovered = time.monotonic()
        while not stop.is_set():
            if time.monotonic() - discovered >= self.config.rediscover:
                rediscover()
                discovered = time.monotonic()
            version = store.version
            due = time.monotonic() - last >= self.config.resync
            if version == seen and not due:
                store.wait_for_change(seen, TICK)
                continue
            if seen >= 0 and version != seen:
                stop.wait(self.config.debounce)  # let a burst of events settle
                if stop.is_set():
                    return
            now = datetime.now(UTC).replace(microsecond=0)
            try:
                # Nothing changed since the last evaluation (a resync): same objects, same
                # graph, only ``now`` moved; else a new snapshot and graph.
                evaluation = self.observer.refresh(version, now) if version == seen else None
                if evaluation is None:
                    snapshot, seen = store.snapshot(now)
                    evaluation = self.observer.evaluate(snapshot, seen)
            except Exception as exc:  # a kaudit bug: say so, stay up, report unhealthy
                self._healthy = False
                self.log({"time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                          "event": "evaluation failed",
                          "message": f"{type(exc).__name__}: {exc}"})
                last = time.monotonic()
                continue
            self._healthy = True
            metrics.duration.observe(evaluation.seconds)
            last = time.monotonic()

    def _counters(self) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
        if self.store is None:
            return {}, {}
        return self.store.counters()
