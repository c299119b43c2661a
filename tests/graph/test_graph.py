"""The graph answers ``outgoing``/``incoming`` from its own adjacency and builds the networkx
view only on demand: both must tell the same story, in the same order."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest

from kaudit.graph import ClusterGraph, Link, build_graph
from kaudit.model import ObjectKey
from kaudit.snapshot import KubeObject, Snapshot


def _obj(api_version: str, kind: str, name: str, namespace: str = "", **meta: Any) -> KubeObject:
    metadata = {"name": name, **({"namespace": namespace} if namespace else {}), **meta}
    return KubeObject({"apiVersion": api_version, "kind": kind, "metadata": metadata})


def _owner(kind: str, name: str, uid: str, api_version: str = "apps/v1") -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "name": name, "uid": uid,
            "controller": True}


@pytest.fixture
def snapshot() -> Snapshot:
    ns = _obj("v1", "Namespace", "shop", uid="u-ns")
    deploy = _obj("apps/v1", "Deployment", "web", "shop", uid="u-d")
    rs = _obj("apps/v1", "ReplicaSet", "web-1", "shop", uid="u-rs",
              ownerReferences=[_owner("Deployment", "web", "u-d")])
    pod = _obj("v1", "Pod", "web-1-a", "shop", uid="u-p",
               ownerReferences=[_owner("ReplicaSet", "web-1", "u-rs"),
                                _owner("ReplicaSet", "gone", "u-x")])
    loop = _obj("example.org/v1", "Widget", "self", "shop", uid="u-w",
                ownerReferences=[_owner("Widget", "self", "u-w", "example.org/v1")])
    event = KubeObject({"apiVersion": "v1", "kind": "Event",
                        "metadata": {"name": "e1", "namespace": "shop"},
                        "involvedObject": {"apiVersion": "v1", "kind": "Pod",
                                           "namespace": "shop", "name": "web-1-a"}})
    return Snapshot.build([ns, deploy, rs, pod, loop, event])


def _links_via_networkx(graph: nx.MultiDiGraph, key: ObjectKey, incoming: bool) -> list[Link]:
    """What ``outgoing``/``incoming`` returned when they read the networkx graph."""
    edges = graph.in_edges(key, data=True) if incoming else graph.out_edges(key, data=True)
    links = []
    for source, target, data in edges:
        other = source if incoming else target
        node = graph.nodes[other]
        ref = data["ref"] if data["ref"].key == other else node["ref"]
        links.append(Link(other, ref, node.get("obj"), data["relation"], data["pointer"],
                          data["attrs"]))
    return links


def test_owner_links_both_ways(snapshot: Snapshot) -> None:
    graph = build_graph(snapshot)
    pod = snapshot.get(ObjectKey("", "Pod", "shop", "web-1-a"))
    rs = snapshot.get(ObjectKey("apps", "ReplicaSet", "shop", "web-1"))
    assert pod is not None and rs is not None
    owners = graph.outgoing(pod.key, "owner")
    assert [(link.key.name, link.obj is not None, link.pointer) for link in owners] == [
        ("web-1", True, "/metadata/ownerReferences/0"),
        ("gone", False, "/metadata/ownerReferences/1")]
    assert owners[0].attrs == {"uid": "u-rs", "controller": True, "blockOwnerDeletion": False}
    assert [link.obj for link in graph.incoming(rs.key, "owner")] == [pod]
    assert [link.relation for link in graph.incoming(pod.key)] == ["contains", "about"]
    assert list(graph.missing()) == [ObjectKey("apps", "ReplicaSet", "shop", "gone")]
    assert graph.node(ObjectKey("apps", "ReplicaSet", "shop", "gone")) is None
    assert graph.ref_of(rs.key) == rs.ref
    assert graph.outgoing(ObjectKey("", "Pod", "shop", "nope")) == []


def test_self_reference_names_the_object(snapshot: Snapshot) -> None:
    graph = build_graph(snapshot)
    key = ObjectKey("example.org", "Widget", "shop", "self")
    assert [link.key for link in graph.incoming(key, "owner")] == [key]
    assert [link.key for link in graph.outgoing(key, "owner")] == [key]


def test_networkx_view_agrees_with_the_adjacency(snapshot: Snapshot) -> None:
    graph = build_graph(snapshot)
    view = graph.nx
    assert set(view.nodes) == {*(o.key for o in snapshot), *graph.missing()}
    assert view.number_of_edges() == sum(len(graph.outgoing(k)) for k in view.nodes)
    rebuilt = ClusterGraph(snapshot, view)
    for key in view.nodes:
        assert view.nodes[key]["obj"] is graph.node(key)
        for incoming in (False, True):
            expected = _links_via_networkx(view, key, incoming)
            for g in (graph, rebuilt):
                found = g.incoming(key) if incoming else g.outgoing(key)
                assert found == expected
