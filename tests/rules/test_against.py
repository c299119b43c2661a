"""``RuleContext.live_counterpart``: what applying a manifest would update in the ``against``
cluster, matched by group, kind, namespace and name (a manifest has no uid)."""

from __future__ import annotations

from kaudit.graph import build_graph
from kaudit.rules import NoOptions, RuleContext
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.timeutil import parse_time

NOW = parse_time("2024-06-01T12:00:00Z")


def cm(name: str, namespace: str = "shop", **meta: str) -> KubeObject:
    return KubeObject({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": name, "namespace": namespace, **meta}})


def context(manifests: list[KubeObject], against: Snapshot | None) -> RuleContext[NoOptions]:
    snapshot = Snapshot.build(manifests)
    return RuleContext(snapshot, build_graph(snapshot), NoOptions(), NOW, against=against)


def test_live_counterpart_matches_by_key_not_uid() -> None:
    manifest = cm("settings")
    live = Snapshot.build([cm("settings", uid="u-1"), cm("settings", "other", uid="u-2")])
    ctx = context([manifest], live)
    found = ctx.live_counterpart(manifest)
    assert found is not None and found.uid == "u-1"
    assert ctx.live_counterpart(cm("absent")) is None


def test_no_counterpart_without_against() -> None:
    manifest = cm("settings")
    assert context([manifest], None).live_counterpart(manifest) is None
