"""Owner edges for ownerReferences of any shape, against the rule they implement written out
plainly: each reference with a kind and a name, its namespace resolved per reference
(``resolve_namespace``; cluster scope for a cluster-scoped dependent), a legacy group's owner
pointed at its current twin. The extractor works the kind facts out once per apiVersion and
kind and visits only owned objects; this keeps it honest about both."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kaudit.graph.edges import ownerrefs
from kaudit.graph.model import resolve_namespace
from kaudit.model import split_api_version
from kaudit.snapshot import KubeObject, Snapshot


def _plain(snapshot: Snapshot) -> list[tuple[Any, ...]]:
    out = []
    for obj in snapshot:
        refs = obj.metadata.get("ownerReferences")
        for i, ref in enumerate(refs if isinstance(refs, list) else ()):
            text = {k: v if type(v) is str else str(v or "") for k, v in ref.items()} \
                if isinstance(ref, dict) else {}
            kind, name, api_version = (text.get(k, "") for k in ("kind", "name", "apiVersion"))
            if not kind or not name:
                continue
            group = split_api_version(api_version)[0]
            namespace = resolve_namespace(snapshot, group, kind, name, obj.namespace) \
                if obj.namespace else ""
            if api_version.startswith(ownerrefs.LEGACY_PREFIXES):
                api_version = ownerrefs._twin(snapshot, api_version, kind, namespace, name)
            out.append((obj.key, (api_version, kind, namespace, name),
                        f"/metadata/ownerReferences/{i}",
                        {"uid": text.get("uid", ""), "controller": ref.get("controller") is True,
                         "blockOwnerDeletion": ref.get("blockOwnerDeletion") is True}))
    return out


def _extracted(snapshot: Snapshot) -> list[tuple[Any, ...]]:
    return [(e.source, (e.target.api_version, e.target.kind, e.target.namespace,
                        e.target.name), e.pointer, dict(e.attrs))
            for e in ownerrefs.owner_edges(snapshot)]


_text = st.one_of(st.sampled_from(["", "a", "b"]), st.none(), st.integers(0, 1), st.booleans())
_OWNERS = [("v1", "Node"), ("v1", "Namespace"), ("apps/v1", "ReplicaSet"),
           ("apps/v1", "Deployment"), ("extensions/v1beta1", "Deployment"),
           ("example.com/v1", "Widget"), ("x", "Widget"), ("rbac.authorization.k8s.io/v1",
                                                             "ClusterRole")]


@st.composite
def _ref(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly a well-formed reference to a kind of known, unknown or cluster scope (or a
    legacy group's), sometimes with any field missing or of another type."""
    api_version, kind = draw(st.sampled_from(_OWNERS))
    out: dict[str, Any] = {"apiVersion": api_version, "kind": kind,
                           "name": draw(st.sampled_from(["a", "b"]))}
    for key in ("uid", "controller", "blockOwnerDeletion"):
        if draw(st.booleans()):
            out[key] = draw(st.one_of(st.just(True), _text))
    for key in ("apiVersion", "kind", "name"):
        if draw(st.integers(0, 5)) == 5:
            if draw(st.booleans()):
                out[key] = draw(_text)
            else:
                del out[key]
    return out


_refs = st.one_of(st.lists(st.one_of(_ref(), _ref(), _ref(), _text), max_size=6), _text,
                  st.just({}))


@st.composite
def _objects(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(1, 6))):
        api_version, kind = draw(st.sampled_from([
            ("v1", "Pod"), ("apps/v1", "ReplicaSet"), ("apps/v1", "Deployment"),
            ("extensions/v1beta1", "Deployment"), ("example.com/v1", "Widget"),
            ("v1", "Node"), ("rbac.authorization.k8s.io/v1", "ClusterRole")]))
        meta: dict[str, Any] = {"name": draw(st.sampled_from(["a", "b"])),
                                "ownerReferences": draw(_refs)}
        namespace = draw(st.sampled_from(["shop", "", None]))
        if namespace is not None:
            meta["namespace"] = namespace
        out.append({"apiVersion": api_version, "kind": kind, "metadata": meta})
    return out


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_objects())
@example([  # an owner named in a legacy group whose current twin is in the snapshot
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a", "namespace": "shop"}},
    {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {
        "name": "r", "namespace": "shop", "ownerReferences": [
            {"apiVersion": "extensions/v1beta1", "kind": "Deployment", "name": "a"}]}},
])
def test_owner_edges_follow_each_reference(objects: list[dict[str, Any]]) -> None:
    snapshot = Snapshot.build([KubeObject(o) for o in objects])
    assert _extracted(snapshot) == _plain(snapshot)
