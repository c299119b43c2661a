"""API versions, table-driven from kaudit/data/api_versions.yaml itself: every row of the data
file is a test case, so a row added there is tested without a line here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from kaudit.apiversions import (
    groups_of,
    parse_release,
    replacement_for,
    same_kind,
    table,
)
from kaudit.engine import EngineSettings, run
from kaudit.graph import build_graph
from kaudit.rules import RuleContext
from kaudit.rules.registry import load_catalogue
from kaudit.snapshot import KubeObject, Snapshot

NOW = datetime(2024, 6, 1, tzinfo=UTC)
TABLE = table()


def snapshot(*docs: dict[str, Any]) -> Snapshot:
    return Snapshot.build(KubeObject(d) for d in docs)


def findings(snap: Snapshot, code: str, **settings: Any) -> list[Any]:
    result = run(snap, load_catalogue(), EngineSettings(now=NOW, select=(code,), **settings))
    return [f for f in result.findings if f.code == code]


def workload(api_version: str, kind: str, name: str, labels: dict[str, str],
             selector: dict[str, Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"template": {"metadata": {"labels": labels}}}
    if selector is not None:
        spec["selector"] = selector
    return {"apiVersion": api_version, "kind": kind,
            "metadata": {"name": name, "namespace": "ns"}, "spec": spec}


# ---- one kind under several groups -------------------------------------------------------
SAME_KIND = sorted((kind, group, groups[0])
                   for (group, kind), groups in TABLE.equivalent.items())


@pytest.mark.parametrize(("kind", "group", "current"), SAME_KIND,
                         ids=[f"{g or 'core'}-{k}" for k, g, _ in SAME_KIND])
def test_rules_see_a_legacy_group_as_the_current_kind(kind: str, group: str,
                                                      current: str) -> None:
    obj = {"apiVersion": f"{group}/v1beta1", "kind": kind,
           "metadata": {"name": "x", "namespace": "ns"}}
    snap = snapshot(obj)
    ctx = RuleContext(snap, build_graph(snap), None, NOW)
    assert [o.name for o in ctx.objects(kind, current)] == ["x"]
    found = ctx.get(KubeObject({"apiVersion": f"{current}/v1", "kind": kind,
                                "metadata": {"name": "x", "namespace": "ns"}}).key)
    assert found is not None and found.group == group
    assert same_kind(group, current, kind) and current in groups_of(group, kind)


def test_unrelated_kinds_keep_their_group() -> None:
    assert groups_of("example.org", "Deployment") == ("example.org",)
    assert not same_kind("example.org", "apps", "Deployment")


# ---- defaults of older versions ----------------------------------------------------------
DEFAULTED = sorted(TABLE.selector_from_template)


@pytest.mark.parametrize(("api_version", "kind"), DEFAULTED,
                         ids=[f"{v}-{k}" for v, k in DEFAULTED])
def test_missing_selector_selects_the_template_labels(api_version: str, kind: str) -> None:
    legacy = workload(api_version, kind, "legacy", {"app": "a"})
    # A DaemonSet: a Deployment would adopt a ReplicaSet rather than fight it.
    other = workload("apps/v1", "DaemonSet", "current", {"app": "a", "x": "y"},
                     {"matchLabels": {"app": "a"}})
    assert len(findings(snapshot(legacy, other), "UQ002")) == 1


@pytest.mark.parametrize("api_version", ["apps/v1", "apps/v1beta2"])
def test_versions_that_require_a_selector_default_nothing(api_version: str) -> None:
    missing = workload(api_version, "Deployment", "missing", {"app": "a"})
    other = workload("apps/v1", "Deployment", "current", {"app": "a", "x": "y"},
                     {"matchLabels": {"app": "a"}})
    assert findings(snapshot(missing, other), "UQ002") == []


EMPTY = sorted(TABLE.empty_selector_selects_all.items())


@pytest.mark.parametrize(("version_kind", "selects_all"), EMPTY,
                         ids=[f"{v}-{k}" for (v, k), _ in EMPTY])
def test_empty_budget_selector_per_version(version_kind: tuple[str, str],
                                           selects_all: bool) -> None:
    api_version, kind = version_kind
    empty = {"apiVersion": api_version, "kind": kind,
             "metadata": {"name": "empty", "namespace": "ns"}, "spec": {"selector": {}}}
    web = {"apiVersion": "policy/v1", "kind": kind,
           "metadata": {"name": "web", "namespace": "ns"},
           "spec": {"selector": {"matchLabels": {"app": "web"}}}}
    pods = workload("apps/v1", "Deployment", "web", {"app": "web"},
                    {"matchLabels": {"app": "web"}})
    hits = findings(snapshot(empty, web, pods), "UQ002")
    assert len(hits) == (1 if selects_all else 0)


# ---- removals ---------------------------------------------------------------------------
REMOVALS = sorted(TABLE.removals.values(), key=lambda r: (r.release, r.api_version, r.kind))


@pytest.mark.parametrize("gone", REMOVALS,
                         ids=[f"{r.release_text}-{r.api_version}-{r.kind}" for r in REMOVALS])
def test_removed_from_its_release_on(gone: Any) -> None:
    obj = {"apiVersion": gone.api_version, "kind": gone.kind,
           "metadata": {"name": "x", "namespace": "ns"}}
    snap = snapshot(obj)
    before = (gone.release[0], gone.release[1] - 1)
    assert findings(snap, "SC007", kube_version=before) == []
    [hit] = findings(snap, "SC007", kube_version=gone.release)
    assert hit.pointer == "/apiVersion"
    assert f"removed in Kubernetes {gone.release_text}" in hit.message
    use = replacement_for(gone.api_version, gone.kind, gone.release)
    assert (f"use {use}" in hit.message) if use else ("nothing replaces it" in hit.message)
    assert removal_free(use, gone.kind, gone.release)


def removal_free(api_version: str, kind: str, release: tuple[int, int]) -> bool:
    """The replacement named is served on that release."""
    later = TABLE.removals.get((api_version, kind))
    return not api_version or later is None or later.release > release


def test_without_a_target_the_rule_is_quiet() -> None:
    obj = {"apiVersion": "extensions/v1beta1", "kind": "Deployment",
           "metadata": {"name": "x", "namespace": "ns"}}
    assert findings(snapshot(obj), "SC007") == []


@pytest.mark.parametrize(("text", "release"), [("1.29", (1, 29)), ("v1.16", (1, 16)),
                                               ("1.25.3", (1, 25))])
def test_parse_release(text: str, release: tuple[int, int]) -> None:
    assert parse_release(text) == release


@pytest.mark.parametrize("text", ["", "1", "latest", "1.x"])
def test_parse_release_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a Kubernetes release"):
        parse_release(text)


def test_an_owner_named_in_a_legacy_group_is_its_current_twin() -> None:
    """Old controllers wrote ``extensions/v1beta1`` into ownerReferences; the owner read back
    is ``apps/v1``: the graph links the two, so no rule calls the owner absent."""
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": "web", "namespace": "ns", "uid": "u1"}}
    replica_set = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                   "metadata": {"name": "web-1", "namespace": "ns", "uid": "u2",
                                "ownerReferences": [{"apiVersion": "extensions/v1beta1",
                                                     "kind": "Deployment", "name": "web",
                                                     "uid": "u1", "controller": True}]}}
    snap = snapshot(deployment, replica_set)
    ctx = RuleContext(snap, build_graph(snap), None, NOW)
    [owner] = ctx.owners(snap.get(KubeObject(replica_set).key))
    assert owner.obj is not None and owner.obj.api_version == "apps/v1"
    assert findings(snap, "ST004") == []


def test_an_identity_defined_in_two_groups_is_seen_once() -> None:
    current = workload("apps/v1", "Deployment", "web", {"app": "web"},
                       {"matchLabels": {"app": "web"}})
    legacy = workload("extensions/v1beta1", "Deployment", "web", {"app": "web", "v": "1"})
    snap = snapshot(legacy, current)
    ctx = RuleContext(snap, build_graph(snap), None, NOW)
    assert [o.api_version for o in ctx.objects("Deployment", "apps")] == ["apps/v1"]
    assert [o.api_version for o in ctx.objects("Deployment", "extensions")] == [
        "extensions/v1beta1"]
    assert findings(snap, "UQ002") == []  # not two controllers: one object defined twice
    assert len(findings(snap, "UQ001")) == 1


def test_a_target_with_a_few_apiservice_manifests_is_not_a_cluster_list() -> None:
    """A folder holding metrics-server's APIService does not say the target serves nothing
    else: without the core group's "v1." APIService it is not the cluster's list, and
    ``--kube-version`` (or nothing) decides."""
    pdb = {"apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget",
           "metadata": {"name": "web", "namespace": "ns"}}
    target = snapshot({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                       "metadata": {"name": "v1beta1.metrics.k8s.io"},
                       "spec": {"group": "metrics.k8s.io", "version": "v1beta1",
                                "service": {"name": "metrics-server",
                                            "namespace": "kube-system"}}})
    assert findings(snapshot(pdb), "SC007", against=target) == []
    [hit] = findings(snapshot(pdb), "SC007", against=target, kube_version=(1, 25))
    assert "not served by Kubernetes 1.25" in hit.message
