"""The cluster as ``kaudit watch`` knows it: every listed object, kept current by watch events.

Objects are held as the ``KubeObject``s the list and the events made (a changed object is a
new one; an unchanged one is shared with every ``Snapshot`` built from the store, so holding
an earlier snapshot for ``--previous``-style comparisons costs only its indexes). A change
that only advances ``resourceVersion`` (a re-sent object after a relist, a no-op update) does
not count as a change, so it triggers no evaluation.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from kaudit.live.discovery import ApiResource
from kaudit.live.listing import ListOutcome
from kaudit.live.policy import queries_for
from kaudit.live.watch import WatchEvent
from kaudit.model import CoverageGap
from kaudit.snapshot import KubeObject, Snapshot, SourceInfo

Key = tuple[str, str]
"""(namespace, name) within one resource type."""


class ObjectStore:
    """Thread-safe: watch threads write, the evaluation loop reads snapshots."""

    def __init__(self, resources: Sequence[ApiResource], discovery_gaps: Sequence[CoverageGap],
                 source: SourceInfo, namespace: str | None) -> None:
        self.resources = tuple(resources)
        self._discovery_gaps = tuple(discovery_gaps)
        self._source = source
        self._namespace = namespace
        self._objects: dict[ApiResource, dict[Key, tuple[int, KubeObject]]] = {
            r: {} for r in self.resources}
        self._gaps: dict[ApiResource, CoverageGap] = {}
        self._changed = threading.Condition()
        self.version = 0
        """Advanced by every change that can change a finding."""
        self.events: Counter[tuple[str, str]] = Counter()
        """(resource, event type) -> watch events received."""
        self.restarts: Counter[tuple[str, str]] = Counter()
        """(resource, reason) -> watch streams restarted."""

    # ---- written by the watchers (``kaudit.live.watch.WatchSink``) -----------------------
    def replace(self, resource: ApiResource, outcome: ListOutcome) -> None:
        """A (re)list: the type's objects are exactly these now."""
        queries = queries_for(resource)
        objects = {(o.namespace, o.name): (_query_of(o, queries), o) for o in outcome.objects}
        with self._changed:
            if resource not in self._objects:
                return  # no longer served (a relist that finished after a rediscovery)
            self._objects[resource] = objects
            if outcome.gap is None:
                self._gaps.pop(resource, None)
            else:
                self._gaps[resource] = outcome.gap
            self._bump()

    def apply(self, resource: ApiResource, query: int, event: WatchEvent) -> None:
        obj = event.object
        if obj is None:
            return
        key = (obj.namespace, obj.name)
        with self._changed:
            self.events[(resource.name, event.type)] += 1
            held = self._objects.get(resource)
            if held is None:
                return
            found = held.get(key)
            if event.type == "DELETED":
                # With two queries (Secrets), an object moving between them is deleted from
                # one stream and added by the other, in either order: only the stream that
                # holds it may remove it.
                if found is not None and found[0] == query:
                    del held[key]
                    self._bump()
                return
            held[key] = (query, obj)
            if found is None or not _same(found[1].raw, obj.raw):
                self._bump()

    def restarted(self, resource: ApiResource, reason: str) -> None:
        with self._changed:
            self.restarts[(resource.name, reason)] += 1

    def watch_failed(self, resource: ApiResource, gap: CoverageGap | None) -> None:
        with self._changed:
            if self._gaps.get(resource) == gap:
                return
            if gap is None:
                self._gaps.pop(resource, None)
            else:
                self._gaps[resource] = gap
            self._bump()

    def retype(self, resources: Sequence[ApiResource],
               discovery_gaps: Sequence[CoverageGap]) -> None:
        """A new discovery: types no longer served are dropped with their objects and gaps;
        new ones start empty (until their list is ``replace``d in)."""
        with self._changed:
            kept = set(resources)
            for gone in [r for r in self._objects if r not in kept]:
                del self._objects[gone]
                self._gaps.pop(gone, None)
            for new in resources:
                self._objects.setdefault(new, {})
            self.resources = tuple(sorted(resources))
            self._discovery_gaps = tuple(discovery_gaps)
            self._bump()

    def _bump(self) -> None:
        self.version += 1
        self._changed.notify_all()

    # ---- read by the evaluation loop -------------------------------------------------
    def wait_for_change(self, seen: int, timeout: float) -> int:
        """The version once it differs from ``seen``, or after ``timeout`` seconds."""
        with self._changed:
            if self.version == seen:
                self._changed.wait(timeout)
            return self.version

    def wake(self) -> None:
        """Let a waiting ``wait_for_change`` return (shutting down)."""
        with self._changed:
            self._changed.notify_all()

    def counters(self) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
        with self._changed:
            return dict(self.events), dict(self.restarts)

    def snapshot(self, captured_at: datetime) -> tuple[Snapshot, int]:
        """The store as a ``Snapshot`` and the version it shows. Objects come in discovery
        order, then by namespace and name, so one state always gives one snapshot."""
        with self._changed:
            version = self.version
            held = [(r, list(self._objects[r].items())) for r in self.resources]
            gaps = [*self._discovery_gaps, *self._gaps.values()]
            failed = set(self._gaps)
        objects: list[KubeObject] = []
        read: set[tuple[str, str]] = set()
        for resource, items in held:
            items.sort(key=lambda item: item[0])
            objects.extend(obj for _, (_, obj) in items)
            if resource not in failed and not (self._namespace and resource.namespaced):
                read.add((resource.group, resource.kind))
        snapshot = Snapshot.build(
            objects, gaps=sorted(gaps, key=lambda g: (g.resource, g.reason)),
            sources=[self._source], captured_at=captured_at, read_kinds=frozenset(read))
        return snapshot, version


def _query_of(obj: KubeObject, queries: Sequence[Any]) -> int:
    """Which of a type's list queries (complementary label selectors) returns ``obj``."""
    if len(queries) < 2:
        return 0
    for index, query in enumerate(queries):
        selector = query.label_selector or ""
        label = selector.lstrip("!")
        if selector and (label in obj.labels) != selector.startswith("!"):
            return index
    return 0


def _same(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Equal but for ``metadata.resourceVersion``."""
    if before.keys() != after.keys():
        return False
    for key, value in before.items():
        other = after[key]
        if key == "metadata" and isinstance(value, dict) and isinstance(other, dict):
            if ({k: v for k, v in value.items() if k != "resourceVersion"}
                    != {k: v for k, v in other.items() if k != "resourceVersion"}):
                return False
        elif value != other:
            return False
    return True
