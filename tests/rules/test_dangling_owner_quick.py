"""ST004 skips the graph for dependents whose owners are certainly there; it must never skip
one it would flag.

``_OwnerCheck`` clears an owned object from its ownerReferences and the snapshot's uid index.
Generated snapshots put owners and dependents next to every way that can go wrong near the
boundary -- a uid another object carries, the right uid on an object of another name, kind,
apiVersion or namespace, a legacy-group owner and its twin, a kind that is cluster-scoped (a
built-in one, or a CRD that says so) or of unknown scope, a cluster-scoped dependent, an
identity defined twice, uids of the wrong type -- and the findings must be the same with and
without the shortcut.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings, target
from hypothesis import strategies as st

from kaudit.graph import build_graph
from kaudit.rules import RuleContext
from kaudit.snapshot import KubeObject, Snapshot
from kaudit_rules.status.dangling_reference import DanglingReference, _OwnerCheck

NOW = datetime(2024, 6, 1, tzinfo=UTC)
OWNER_TYPES = [("apps/v1", "ReplicaSet"), ("apps/v1", "Deployment"),
               ("extensions/v1beta1", "Deployment"), ("example.org/v1", "Widget"),
               ("example.org/v1", "Gadget"), ("v1", "Namespace"), ("v1", "ConfigMap"),
               ("other.org/v1", "Widget")]
UIDS = ["u1", "u2", "u3", "u4"]
NAMES = ["o1", "o2"]
NAMESPACES = ["a", "b", ""]


@st.composite
def owner(draw: st.DrawFn) -> dict[str, Any]:
    # Mostly the common case (a namespaced built-in owner), where the shortcut applies.
    api_version, kind = draw(st.sampled_from([*OWNER_TYPES, *[OWNER_TYPES[0]] * 5]))
    meta: dict[str, Any] = {"name": draw(st.sampled_from(NAMES)),
                            "uid": draw(st.sampled_from(UIDS))}
    namespace = draw(st.sampled_from(["a", "a", *NAMESPACES]))
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": api_version, "kind": kind, "metadata": meta}


def reference(draw: st.DrawFn, owners: list[dict[str, Any]]) -> Any:
    if owners and draw(st.integers(0, 3)):
        target = draw(st.sampled_from(owners))
        ref = {"apiVersion": target["apiVersion"], "kind": target["kind"],
               "name": target["metadata"]["name"], "uid": target["metadata"]["uid"]}
        field = draw(st.sampled_from(["", "", "", "apiVersion", "kind", "name", "uid"]))
        if field == "apiVersion":
            ref[field] = draw(st.sampled_from([a for a, _ in OWNER_TYPES]))
        elif field == "kind":
            ref[field] = draw(st.sampled_from([k for _, k in OWNER_TYPES]))
        elif field == "name":
            ref[field] = draw(st.sampled_from(NAMES))
        elif field == "uid":
            ref[field] = draw(st.sampled_from([*UIDS, "gone", "", None, 7]))
        return ref
    return draw(st.sampled_from([
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "o1", "uid": "gone"},
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "o1"},
        {"kind": "ReplicaSet", "name": "o1", "uid": "u1"},
        "not-a-mapping"]))


@st.composite
def snapshots(draw: st.DrawFn) -> list[dict[str, Any]]:
    owners = draw(st.lists(owner(), max_size=5))
    crds = [{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
             "metadata": {"name": "widgets.example.org"},
             "spec": {"group": "example.org", "names": {"kind": "Widget"},
                      "scope": draw(st.sampled_from(["Namespaced", "Cluster"]))}}] \
        if draw(st.booleans()) else []
    dependents = []
    for i in range(draw(st.integers(1, 4))):
        refs = [reference(draw, owners) for _ in range(draw(st.integers(1, 2)))]
        meta: dict[str, Any] = {"name": f"d{i}", "uid": f"d{i}", "ownerReferences": refs}
        # Mostly beside an owner it names: where the shortcut applies.
        beside = [o["metadata"].get("namespace", "") for o in owners
                  if isinstance(refs[0], dict) and o["metadata"]["uid"] == refs[0].get("uid")]
        namespace = draw(st.sampled_from(beside or NAMESPACES) if draw(st.integers(0, 3))
                         else st.sampled_from(NAMESPACES))
        if namespace:
            meta["namespace"] = namespace
        kind = draw(st.sampled_from(["Pod", "PersistentVolume"]))
        dependents.append({"apiVersion": "v1", "kind": kind, "metadata": meta})
    return [*crds, *owners, *dependents]


def _findings(raws: list[dict[str, Any]], quick: bool) -> list[dict[str, Any]]:
    snapshot = Snapshot.build(KubeObject(raw) for raw in raws)
    ctx = RuleContext(snapshot, build_graph(snapshot), None, NOW)
    return [f.to_json() for f in DanglingReference()._owner_references(ctx, quick=quick)]


@settings(max_examples=600, deadline=None)
@given(snapshots())
def test_the_shortcut_never_hides_a_finding(raws: list[dict[str, Any]]) -> None:
    snapshot = Snapshot.build(KubeObject(raw) for raw in raws)
    check = _OwnerCheck(snapshot)
    # Steer the search to snapshots where the shortcut is taken: that is where it could err.
    target(float(sum(check.present(o) for o in snapshot.candidates("owned"))))
    assert _findings(raws, quick=True) == _findings(raws, quick=False)


def test_the_shortcut_is_taken() -> None:
    """A ReplicaSet's pod and a Deployment's ReplicaSet are cleared; a re-created owner, a
    missing one and an owner of unknown scope are not."""
    def obj(api_version: str, kind: str, name: str, uid: str, *owners: dict[str, Any]
            ) -> KubeObject:
        return KubeObject({"apiVersion": api_version, "kind": kind, "metadata": {
            "name": name, "namespace": "a", "uid": uid, "ownerReferences": list(owners)}})

    def ref(api_version: str, kind: str, name: str, uid: str) -> dict[str, str]:
        return {"apiVersion": api_version, "kind": kind, "name": name, "uid": uid}

    deploy = obj("apps/v1", "Deployment", "web", "u-d")
    rs = obj("apps/v1", "ReplicaSet", "web-1", "u-rs", ref("apps/v1", "Deployment", "web", "u-d"))
    pod = obj("v1", "Pod", "web-1-x", "u-p", ref("apps/v1", "ReplicaSet", "web-1", "u-rs"))
    stale = obj("v1", "Pod", "web-1-y", "u-p2", ref("apps/v1", "ReplicaSet", "web-1", "u-old"))
    gone = obj("v1", "Pod", "web-2-y", "u-p3", ref("apps/v1", "ReplicaSet", "web-2", "u-x"))
    widget = obj("example.org/v1", "Widget", "w", "u-w")
    custom = obj("v1", "ConfigMap", "c", "u-c", ref("example.org/v1", "Widget", "w", "u-w"))
    snapshot = Snapshot.build([deploy, rs, pod, stale, gone, widget, custom])
    check = _OwnerCheck(snapshot)
    assert [o.name for o in snapshot.candidates("owned") if check.present(o)] == \
        ["web-1", "web-1-x"]


def _raw(api_version: str, kind: str, name: str, uid: str, namespace: str = "a",
         *owners: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "uid": uid, "ownerReferences": list(owners)}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": api_version, "kind": kind, "metadata": meta}


def _ref(api_version: str, kind: str, name: str, uid: str) -> dict[str, str]:
    return {"apiVersion": api_version, "kind": kind, "name": name, "uid": uid}


WIDGET_CRD = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
              "metadata": {"name": "widgets.example.org"},
              "spec": {"group": "example.org", "names": {"kind": "Widget"},
                       "scope": "Namespaced"}}
NEAR_MISSES = {
    # The uid is the owner's, but the reference names another group serving the same kind.
    "other group": [WIDGET_CRD, _raw("example.org/v1", "Widget", "w", "u-w"),
                    _raw("other.org/v1", "Widget", "x", "u-x"),
                    _raw("v1", "Pod", "p", "u-p", "a", _ref("other.org/v1", "Widget", "w", "u-w"))],
    # ... an object of that name and kind in another namespace.
    "other namespace": [_raw("apps/v1", "ReplicaSet", "rs", "u-rs", "b"),
                        _raw("v1", "Pod", "p", "u-p", "a",
                             _ref("apps/v1", "ReplicaSet", "rs", "u-rs"))],
    # ... of a kind its CRD says is cluster-scoped (the edge points at namespace "").
    "cluster-scoped kind": [{**WIDGET_CRD, "spec": {**WIDGET_CRD["spec"], "scope": "Cluster"}},
                            _raw("example.org/v1", "Widget", "w", "u-w"),
                            _raw("example.org/v1", "Widget", "w2", "u-w2", ""),
                            _raw("v1", "Pod", "p", "u-p", "a",
                                 _ref("example.org/v1", "Widget", "w", "u-w"))],
    # ... of an identity defined twice: the first definition (another uid) is the owner.
    "identity defined twice": [_raw("apps/v1", "ReplicaSet", "rs", "u-first"),
                               _raw("apps/v1", "ReplicaSet", "rs", "u-second"),
                               _raw("v1", "Pod", "p", "u-p", "a",
                                    _ref("apps/v1", "ReplicaSet", "rs", "u-second"))],
}


def test_near_misses_are_flagged() -> None:
    for case, raws in NEAR_MISSES.items():
        found = _findings(raws, quick=True)
        assert found == _findings(raws, quick=False), case
        assert [f["object"]["name"] for f in found] == ["p"], case
