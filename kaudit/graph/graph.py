"""The resource graph: objects as nodes, references as typed edges.

Nodes are keyed by ``ObjectKey`` (group, kind, namespace, name). A reference to an object the
snapshot does not hold still gets a node, marked missing, so rules can tell "points at nothing"
from "points at something healthy" without re-resolving references themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kaudit.graph.edges import EXTRACTORS
from kaudit.graph.model import Edge, Extractor
from kaudit.model import ObjectKey, ObjectRef
from kaudit.snapshot import KubeObject, Snapshot


@dataclass(frozen=True, slots=True)
class Link:
    """One end of an edge as seen from the other: the neighbour and how it is referenced."""

    key: ObjectKey
    ref: ObjectRef
    obj: KubeObject | None
    relation: str
    pointer: str
    attrs: dict[str, Any]


class ClusterGraph:
    def __init__(self, snapshot: Snapshot, graph: nx.MultiDiGraph) -> None:
        self.snapshot = snapshot
        self.nx = graph

    def node(self, key: ObjectKey) -> KubeObject | None:
        data = self.nx.nodes.get(key)
        return data.get("obj") if data else None

    def ref_of(self, key: ObjectKey) -> ObjectRef | None:
        data = self.nx.nodes.get(key)
        return data.get("ref") if data else None

    def outgoing(self, key: ObjectKey, relation: str | None = None) -> list[Link]:
        """References ``key`` makes (for ``owner``: its owners)."""
        if key not in self.nx:
            return []
        return [
            self._link(target, data)
            for _, target, data in self.nx.out_edges(key, data=True)
            if relation is None or data["relation"] == relation
        ]

    def incoming(self, key: ObjectKey, relation: str | None = None) -> list[Link]:
        """References made to ``key`` (for ``owner``: its dependents)."""
        if key not in self.nx:
            return []
        return [
            self._link(source, data)
            for source, _, data in self.nx.in_edges(key, data=True)
            if relation is None or data["relation"] == relation
        ]

    def _link(self, key: ObjectKey, data: dict[str, Any]) -> Link:
        node = self.nx.nodes[key]
        return Link(key, data["ref"] if data["ref"].key == key else node["ref"], node.get("obj"),
                    data["relation"], data["pointer"], data["attrs"])

    def missing(self) -> Iterator[ObjectKey]:
        for key, data in self.nx.nodes(data=True):
            if data.get("obj") is None:
                yield key


def build_graph(snapshot: Snapshot, extractors: Sequence[Extractor] = EXTRACTORS) -> ClusterGraph:
    graph = nx.MultiDiGraph()
    for obj in snapshot:
        if obj.key not in graph:
            graph.add_node(obj.key, obj=obj, ref=obj.ref)
    for extractor in extractors:
        _add_edges(graph, snapshot, extractor.extract(snapshot))
    return ClusterGraph(snapshot, graph)


def _add_edges(graph: nx.MultiDiGraph, snapshot: Snapshot, edges: Iterable[Edge]) -> None:
    for edge in edges:
        target = edge.target.key
        if target not in graph:
            graph.add_node(target, obj=None, ref=edge.target)
        if edge.source not in graph:
            graph.add_node(edge.source, obj=None, ref=ObjectRef(
                _api_version_guess(edge.source), edge.source.kind, edge.source.namespace,
                edge.source.name))
        graph.add_edge(edge.source, target, relation=edge.relation, pointer=edge.pointer,
                       attrs=dict(edge.attrs), ref=edge.target)


def _api_version_guess(key: ObjectKey) -> str:
    return f"{key.group}/v1" if key.group else "v1"
