"""The workload index finds exactly the workloads a walk over every workload found.

``liveness._find_workload_candidates`` once walked every Deployment, StatefulSet and DaemonSet
for each owner; it now asks ``kaudit.finalizers.workloads.WorkloadIndex``. The walk is kept
here as the oracle, and generated snapshots (names, ``namespace/name``, patterns, labels,
ownerReference uids, Helm releases, Kopf, legacy-group twins, hostile value types) must give
the same workloads in the same order: an index that ever skipped a workload would hide the
only evidence that a controller is gone.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kaudit.finalizers.liveness import _crds_of, _find_workload_candidates, _tied_to_group
from kaudit.finalizers.table import Owner, OwnerKind
from kaudit.finalizers.workloads import all_workloads, runs_kopf
from kaudit.snapshot import KubeObject, Snapshot


def _oracle(owner: Owner, snapshot: Snapshot) -> list[KubeObject]:
    """The walk ``_find_workload_candidates`` did before the index (kaudit 7afb9f8)."""
    found: dict[tuple[str, str, str, str], KubeObject] = {}
    exact = [p for p in owner.workloads if not any(ch in p for ch in "*?[")]
    wildcard = [p for p in owner.workloads if p not in exact]
    labels = owner.workload_labels
    for w in all_workloads(snapshot):
        by_wildcard = any(fnmatch.fnmatchcase(w.name, p) for p in wildcard) and \
            _tied_to_group(owner, w, snapshot)
        by_name = w.name in exact or f"{w.namespace}/{w.name}" in exact
        by_labels = bool(labels) and all(w.labels.get(k) == v for k, v in labels)
        if by_name or by_wildcard or by_labels:
            found[(w.group, w.kind, w.namespace, w.name)] = w
    for w in _by_crd(owner, snapshot):
        found[(w.group, w.kind, w.namespace, w.name)] = w
    if owner.kopf:
        for w in all_workloads(snapshot):
            if runs_kopf(w):
                found[(w.group, w.kind, w.namespace, w.name)] = w
    return [found[k] for k in sorted(found)]


def _by_crd(owner: Owner, snapshot: Snapshot) -> Iterator[KubeObject]:
    crds = _crds_of(owner, snapshot)
    if not crds:
        return
    owner_uids = {o.get("uid") for c in crds for o in c.owner_references
                  if o.get("uid") and o.get("controller") is True}
    releases = {(c.annotations.get("meta.helm.sh/release-name"),
                 c.annotations.get("meta.helm.sh/release-namespace")) for c in crds}
    releases.discard((None, None))
    for w in all_workloads(snapshot):
        owned = bool(owner_uids) and any(o.get("uid") in owner_uids
                                         for o in w.owner_references)
        release = (w.annotations.get("meta.helm.sh/release-name"),
                   w.annotations.get("meta.helm.sh/release-namespace"))
        if owned or release in releases:
            yield w


NAMES = st.sampled_from(["op", "op-a", "op-b", "provider-sql", "x/y"])
NAMESPACES = st.sampled_from(["", "ops", "x"])
LABEL_VALUES = st.one_of(st.sampled_from(["a", "b", ""]), st.integers(0, 1), st.just(["a"]))
UIDS = st.one_of(st.sampled_from(["u1", "u2", ""]), st.just(None), st.just(1))
RELEASES = st.one_of(st.none(), st.sampled_from(["r1", "r2"]))
KINDS = st.sampled_from([("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"),
                         ("apps/v1", "DaemonSet"), ("extensions/v1beta1", "Deployment"),
                         ("extensions/v1beta1", "DaemonSet"), ("v1", "Pod")])


@st.composite
def workload(draw: st.DrawFn) -> dict[str, Any]:
    api_version, kind = draw(KINDS)
    meta: dict[str, Any] = {"name": draw(NAMES), "uid": draw(st.sampled_from(["w1", "w2"]))}
    namespace = draw(NAMESPACES)
    if namespace:
        meta["namespace"] = namespace
    meta["labels"] = draw(st.dictionaries(st.sampled_from(["app", "tier"]), LABEL_VALUES,
                                          max_size=2))
    meta["ownerReferences"] = [{"uid": u} for u in draw(st.lists(UIDS, max_size=2))]
    release = {"meta.helm.sh/release-name": draw(RELEASES),
               "meta.helm.sh/release-namespace": draw(RELEASES)}
    meta["annotations"] = {k: v for k, v in release.items() if v is not None}
    command = draw(st.sampled_from([[], ["kopf", "run"], ["/usr/bin/kopf"], ["python"]]))
    return {"apiVersion": api_version, "kind": kind, "metadata": meta,
            "spec": {"template": {"spec": {"containers": [{"command": command}]}}}}


@st.composite
def crd(draw: st.DrawFn) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": draw(st.sampled_from(["c1", "c2"]))}
    meta["ownerReferences"] = [
        {"uid": draw(st.sampled_from(["u1", "u2"])), "controller": draw(st.booleans())}]
    meta["annotations"] = {k: v for k, v in {
        "meta.helm.sh/release-name": draw(RELEASES),
        "meta.helm.sh/release-namespace": draw(RELEASES)}.items() if v is not None}
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": meta, "spec": {"group": draw(st.sampled_from(["g.io", "h.io"]))}}


@st.composite
def owner(draw: st.DrawFn) -> Owner:
    patterns = st.sampled_from(["op", "ops/op", "x/y", "op-*", "provider-?ql", "[o]p", "none"])
    labels = draw(st.lists(st.tuples(st.sampled_from(["app", "tier"]),
                                     st.sampled_from(["a", "b", "", "1"])), max_size=2))
    return Owner("f", "c", OwnerKind.OPERATOR, "table",
                 groups=tuple(draw(st.lists(st.sampled_from(["g.io", "h.io"]), max_size=2))),
                 workloads=tuple(draw(st.lists(patterns, max_size=3))),
                 kopf=draw(st.booleans()), workload_labels=tuple(sorted(labels)))


@settings(max_examples=300, deadline=None)
@given(st.lists(workload(), max_size=8), st.lists(crd(), max_size=2), st.lists(owner(),
                                                                               min_size=1,
                                                                               max_size=3))
def test_index_finds_what_the_walk_found(workloads: list[dict[str, Any]],
                                         crds: list[dict[str, Any]], owners: list[Owner]) -> None:
    snapshot = Snapshot.build(KubeObject(raw) for raw in [*crds, *workloads])
    for o in owners:
        assert _find_workload_candidates(o, snapshot) == _oracle(o, snapshot)


def test_each_way_of_naming_a_workload_is_found() -> None:
    """One workload per way an owner names it, next to look-alikes that must not match."""
    def deploy(name: str, spec: Any = None, **meta: Any) -> dict[str, Any]:
        return {"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": name, "namespace": "ops", **meta}, "spec": spec or {}}

    revision = {"uid": "rev-1", "controller": True}
    snapshot = Snapshot.build(KubeObject(raw) for raw in [
        {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
         "metadata": {"name": "things.g.io", "ownerReferences": [revision],
                      "annotations": {"meta.helm.sh/release-name": "rel",
                                      "meta.helm.sh/release-namespace": "ops"}},
         "spec": {"group": "g.io"}},
        deploy("by-name"), deploy("by-qualified-name"), deploy("by-name-elsewhere-no"),
        deploy("by-labels", labels={"app": "op", "tier": "ctl"}),
        deploy("labels-half-no", labels={"app": "op", "tier": "web"}),
        deploy("by-revision", ownerReferences=[{"uid": "rev-1"}]),
        deploy("by-release", annotations={"meta.helm.sh/release-name": "rel",
                                          "meta.helm.sh/release-namespace": "ops"}),
        deploy("release-name-only-no", annotations={"meta.helm.sh/release-name": "rel"}),
        deploy("by-kopf", spec={"template": {"spec": {"containers": [
            {"command": ["kopf", "run", "op.py"]}]}}}),
    ])
    o = Owner("f", "c", OwnerKind.OPERATOR, "table", groups=("g.io",),
              workloads=("by-name", "ops/by-qualified-name", "other/by-name-elsewhere-no"),
              kopf=True, workload_labels=(("app", "op"), ("tier", "ctl")))
    found = [w.name for w in _find_workload_candidates(o, snapshot)]
    assert found == sorted(["by-name", "by-qualified-name", "by-labels", "by-revision",
                            "by-release", "by-kopf"])
    assert found == [w.name for w in _oracle(o, snapshot)]
