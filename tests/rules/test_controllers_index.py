"""The shared controller index (``kaudit.rules.controllers``): read once per snapshot, it must
answer what reading each object's ``ownerReferences`` answers, at every odd shape a reference
can take, and never serve one snapshot's answer for another."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kaudit.graph import build_graph
from kaudit.rules import KubeObject, NoOptions, RuleContext, Snapshot
from kaudit.rules.controllers import controllers
from kaudit_rules.status.ready_over_failed_dependency import ReadyOverFailedDependency
from kaudit_rules.unique.overlapping_selectors import OverlappingSelectors

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)


def _obj(name: str, refs: Any = None, kind: str = "ReplicaSet", api: str = "apps/v1",
         **body: Any) -> KubeObject:
    meta: dict[str, Any] = {"name": name, "namespace": "shop"}
    if refs is not None:
        meta["ownerReferences"] = refs
    return KubeObject({"apiVersion": api, "kind": kind, "metadata": meta, **body})


def test_only_references_marked_controller_true_count() -> None:
    objects = [
        _obj("marked", [{"kind": "Deployment", "name": "web", "controller": True}]),
        _obj("second", [{"kind": "Node", "name": "n1"},
                        {"kind": "Deployment", "name": "api", "controller": True}]),
        _obj("text-true", [{"kind": "Deployment", "name": "t", "controller": "true"}]),
        _obj("false", [{"kind": "Deployment", "name": "f", "controller": False}]),
        _obj("not-a-list", {"kind": "Deployment", "name": "d", "controller": True}),
        _obj("junk-entries", ["x", None, {"kind": 5, "name": None, "controller": True}]),
        _obj("empty", []),
        _obj("none"),
    ]
    found = controllers(Snapshot.build(objects))
    assert sorted(o.name for o in found.controlled) == ["junk-entries", "marked", "second"]
    assert {k: sorted(v) for k, v in found.names.items()} == {
        "Deployment": ["api", "web"], "5": [""]}


def _deployment(name: str, refs: Any = None) -> KubeObject:
    return _obj(name, refs, kind="Deployment", spec={
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}}})


def _overlaps(snapshot: Snapshot) -> list[str]:
    ctx = RuleContext(snapshot, build_graph(snapshot), NoOptions(), NOW)
    return [f.object.name for f in OverlappingSelectors().check(ctx) if f.object]


def test_a_workload_controlled_in_one_snapshot_is_not_controlled_in_the_next() -> None:
    """UQ002 skips controlled workloads through the index; a second snapshot of the same
    names, where the controller reference is gone, is judged on its own references."""
    owned = Snapshot.build([
        _deployment("a"),
        _deployment("b", [{"kind": "Rollout", "name": "r", "controller": True}])])
    assert _overlaps(owned) == []
    freed = Snapshot.build([_deployment("a"), _deployment("b", [{"kind": "Rollout",
                                                                 "name": "r"}])])
    assert _overlaps(freed) == ["b"]
    assert _overlaps(owned) == []


def _app(name: str) -> KubeObject:
    return _obj(name, kind="App", api="example.org/v1", status={
        "conditions": [{"type": "Ready", "status": "True", "reason": "Reconciled"}]})


def _failed_job(name: str, refs: Any) -> KubeObject:
    return _obj(name, refs, kind="Job", api="batch/v1", status={
        "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]})


def _ready_over_failed(objects: list[KubeObject] | Snapshot) -> list[str]:
    snapshot = objects if isinstance(objects, Snapshot) else Snapshot.build(objects)
    ctx = RuleContext(snapshot, build_graph(snapshot), ReadyOverFailedDependency.Options(),
                      NOW)
    return [f.object.name for f in ReadyOverFailedDependency().check(ctx) if f.object]


def test_st002_finds_parents_named_by_any_controller_reference() -> None:
    """Parents are looked up by the kind and name controller references give: one named only
    in a second reference is found, a reference not marked controller is not a parent (the
    rule counts controlled dependents only), and a parent of another group with the same
    kind and name does not hide the right one."""
    second = [{"apiVersion": "example.org/v1", "kind": "Node", "name": "n"},
              {"apiVersion": "example.org/v1", "kind": "App", "name": "shop",
               "controller": True}]
    assert _ready_over_failed([_app("shop"), _failed_job("migrate", second)]) == ["shop"]
    unmarked = [{"apiVersion": "example.org/v1", "kind": "App", "name": "shop"}]
    assert _ready_over_failed([_app("shop"), _failed_job("migrate", unmarked)]) == []
    other_group = _obj("shop", kind="App", api="other.example.com/v1", status={
        "conditions": [{"type": "Ready", "status": "True"}]})
    marked = [{"apiVersion": "example.org/v1", "kind": "App", "name": "shop",
               "controller": True}]
    assert _ready_over_failed([other_group, _app("shop"), _failed_job("migrate", marked)]) \
        == ["shop"]


def test_st002_parents_of_one_snapshot_are_not_served_for_the_next() -> None:
    """Names are values, not identities: a snapshot read first, where nothing names the App
    as its controller, must not hide the App's failed Job in the next snapshot."""
    unmarked = [{"apiVersion": "example.org/v1", "kind": "App", "name": "shop"}]
    marked = [{**unmarked[0], "controller": True}]
    first = Snapshot.build([_app("shop"), _failed_job("migrate", unmarked)])
    assert _ready_over_failed(first) == []
    second = Snapshot.build([_app("shop"), _failed_job("migrate", marked)])
    assert _ready_over_failed(second) == ["shop"]  # while the first is still alive
    assert _ready_over_failed(first) == []
