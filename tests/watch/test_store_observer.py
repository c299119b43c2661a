"""The watch command's object store and observer, without a server."""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta
from typing import Any

from kaudit.engine import EngineSettings
from kaudit.graph.graph import _Node
from kaudit.live.discovery import ApiResource
from kaudit.live.listing import ListOutcome
from kaudit.live.watch import WatchEvent
from kaudit.rules.registry import load_catalogue
from kaudit.snapshot import KubeObject, SourceInfo
from kaudit.watch.observer import Observer
from kaudit.watch.store import ObjectStore

T0 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
WIDGETS = ApiResource("example.org", "v1", "widgets", "Widget", True)
SECRETS = ApiResource("", "v1", "secrets", "Secret", True)


def widget(name: str, version: str = "1", stuck: bool = False, **spec: Any) -> KubeObject:
    meta: dict[str, Any] = {"name": name, "namespace": "shop", "uid": f"uid-{name}",
                            "resourceVersion": version}
    if stuck:
        meta.update(deletionTimestamp="2024-01-01T00:00:00Z", finalizers=["example.org/x"])
    return KubeObject({"apiVersion": "example.org/v1", "kind": "Widget", "metadata": meta,
                       "spec": spec})


def store_with(*objects: KubeObject) -> ObjectStore:
    store = ObjectStore([WIDGETS, SECRETS], (), SourceInfo("live", context="t"), None)
    store.replace(WIDGETS, ListOutcome(WIDGETS, list(objects)))
    store.replace(SECRETS, ListOutcome(SECRETS, []))
    return store


def test_a_change_of_resource_version_alone_is_no_change() -> None:
    store = store_with(widget("a", size=1))
    before = store.version
    store.apply(WIDGETS, 0, WatchEvent("MODIFIED", widget("a", "2", size=1), "2"))
    assert store.version == before
    store.apply(WIDGETS, 0, WatchEvent("MODIFIED", widget("a", "3", size=2), "3"))
    assert store.version == before + 1
    snapshot, _ = store.snapshot(T0)
    assert [o.raw["spec"] for o in snapshot] == [{"size": 2}]


def test_an_object_moving_between_the_two_secret_queries_is_kept() -> None:
    store = store_with()

    def secret(labels: dict[str, str]) -> KubeObject:
        return KubeObject({"apiVersion": "v1", "kind": "Secret", "metadata": {
            "name": "s", "namespace": "shop", "labels": labels}})

    # Labelled as a Kong credential: the full stream (query 1) adds it before the
    # metadata-only stream (query 0) says it left that selector.
    store.apply(SECRETS, 0, WatchEvent("ADDED", secret({}), "2"))
    store.apply(SECRETS, 1, WatchEvent("ADDED", secret({"konghq.com/credential": "x"}), "3"))
    store.apply(SECRETS, 0, WatchEvent("DELETED", secret({"konghq.com/credential": "x"}), "3"))
    snapshot, _ = store.snapshot(T0)
    assert [o.labels for o in snapshot] == [{"konghq.com/credential": "x"}]


def test_snapshots_are_ordered_and_read_kinds_follow_gaps() -> None:
    from kaudit.model import CoverageGap

    store = store_with(widget("b"), widget("a"))
    snapshot, _ = store.snapshot(T0)
    assert [o.name for o in snapshot] == ["a", "b"]
    assert snapshot.was_read("example.org", "Widget")
    store.watch_failed(WIDGETS, CoverageGap("widgets.example.org", "watch forbidden"))
    snapshot, _ = store.snapshot(T0)
    assert not snapshot.was_read("example.org", "Widget")
    assert [g.reason for g in snapshot.gaps] == ["watch forbidden"]


def observer(log: list[dict[str, Any]], compare_after: timedelta = timedelta(minutes=5),
             **options: Any) -> Observer:
    return Observer(load_catalogue([]), EngineSettings(now=T0, select=("FN001",),
                                                       options=options),
                    compare_after=compare_after, log=log.append)


def test_first_seen_is_kept_while_a_finding_persists_and_dropped_when_it_resolves() -> None:
    lines: list[dict[str, Any]] = []
    watcher = observer(lines)
    stuck = widget("s", stuck=True)
    first = watcher.evaluate(store_with(stuck).snapshot(T0)[0], 1)
    later = watcher.evaluate(store_with(stuck).snapshot(T0 + timedelta(hours=3))[0], 2)
    [fingerprint] = later.first_seen
    assert later.first_seen[fingerprint] == first.first_seen[fingerprint] == T0
    assert later.to_json()["findings"][0]["firstSeen"] == "2024-06-01T12:00:00Z"
    watcher.evaluate(store_with().snapshot(T0 + timedelta(hours=4))[0], 3)
    assert [line["event"] for line in lines] == ["finding appeared", "finding resolved"]
    assert lines[1]["lasted"] == "4h"
    again = watcher.evaluate(store_with(stuck).snapshot(T0 + timedelta(hours=5))[0], 4)
    assert list(again.first_seen.values()) == [T0 + timedelta(hours=5)]


def test_the_earlier_observation_is_at_least_compare_after_old() -> None:
    watcher = observer([], compare_after=timedelta(minutes=5))
    snaps = [store_with(widget("a")).snapshot(T0 + timedelta(minutes=m))[0]
             for m in (0, 2, 6, 7, 12)]
    chosen = [watcher._rotate(s, s.captured_at) for s in snaps]  # type: ignore[arg-type]
    assert [c.captured_at if c else None for c in chosen] == [
        None, None, T0, T0, T0 + timedelta(minutes=6)]


def test_an_evaluation_leaves_next_to_no_cyclic_garbage() -> None:
    """Graph nodes point at each other; a dropped graph would wait (frozen) for a full
    collection unless the observer releases it."""
    owners = [widget(f"owner-{i}") for i in range(100)]
    parts = [KubeObject({"apiVersion": "example.org/v1", "kind": "Widget", "metadata": {
        "name": f"part-{i}", "namespace": "shop", "uid": f"uid-part-{i}",
        "ownerReferences": [{"apiVersion": "example.org/v1", "kind": "Widget",
                             "name": f"owner-{i % 100}", "uid": f"uid-owner-{i % 100}"}]}})
        for i in range(300)]
    watcher = observer([])
    store = store_with(*owners, *parts)

    def collect_graph_nodes() -> int:
        """Collect everything (frozen included); how many of this test's graph nodes were
        garbage (other tests' leftovers may be collected too, at any time)."""
        gc.unfreeze()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            gc.collect()
            return sum(isinstance(o, _Node) and o.obj is not None and o.obj.name.startswith(
                ("owner-", "part-")) for o in gc.garbage)  # this test's graph only
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.freeze()

    watcher.evaluate(store.snapshot(T0)[0], 1)
    collect_graph_nodes()  # whatever earlier tests left
    watcher.evaluate(store.snapshot(T0 + timedelta(minutes=1))[0], 2)
    assert collect_graph_nodes() == 0  # without ClusterGraph.release: every node (400)
