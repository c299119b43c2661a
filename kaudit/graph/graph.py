"""The resource graph: objects as nodes, references as typed edges.

Nodes are keyed by ``ObjectKey`` (group, kind, namespace, name). A reference to an object the
snapshot does not hold still gets a node, marked missing, so rules can tell "points at nothing"
from "points at something healthy" without re-resolving references themselves.

Rules only ever ask "what does this object point at / what points at it", so the graph keeps
its adjacency in plain dicts (successors and predecessors per key, grouped by neighbour, the
layout networkx uses) and builds the networkx ``MultiDiGraph`` only when something asks for
``ClusterGraph.nx`` (graph algorithms, pictures). Measured on the benchmark: building the
networkx graph was half of a full JSON scan's time, and its per-edge attribute dicts a large
share of the memory; a scan that never needs it now never pays for it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kaudit.graph.edges import EXTRACTORS
from kaudit.graph.edges.namespaces import CONTAINS
from kaudit.graph.edges.namespaces import EXTRACTOR as CONTAINS_EXTRACTOR
from kaudit.graph.model import NO_ATTRS, Edge, Extractor
from kaudit.model import ObjectKey, ObjectRef
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.snapshot.collector import collector_paused

if TYPE_CHECKING:  # networkx is imported only when a picture (``nx``) is asked for
    import networkx as nx


@dataclass(slots=True)
class Link:
    """One end of an edge as seen from the other: the neighbour and how it is referenced.

    Read-only by convention, not ``frozen``: every ``outgoing``/``incoming`` call makes fresh
    links (rules make ~150k of them on a 100k-object cluster) and a frozen dataclass pays an
    ``object.__setattr__`` per field; its ``attrs`` dict made it unhashable anyway."""

    key: ObjectKey
    ref: ObjectRef
    obj: KubeObject | None
    relation: str
    pointer: str
    attrs: Mapping[str, Any]


def _edge_attrs(edge: Edge) -> dict[str, Any]:
    """An edge as networkx edge attributes: ``relation``, ``pointer``, ``attrs`` and ``ref``
    (the target as the source referenced it)."""
    return {"relation": edge.relation, "pointer": edge.pointer, "attrs": edge.attrs,
            "ref": edge.target}


_Groups = list[tuple["_Node", list[Edge]]]


class _Node:
    """A node: its object (``None`` when only referenced), its ref when missing (an object
    knows its own), its canonical key, and its edges grouped by neighbour in insertion order
    (the layout networkx uses, so ``outgoing``/``incoming`` list links in the order they did
    when the graph was a networkx one). Neighbours are keyed by their ``_Node`` (hashed by
    identity, in C) rather than by ``ObjectKey`` (a dataclass hashed in Python): adding an
    edge then costs one key hash per endpoint, and a query reaches the neighbour's object
    without looking its key up again.

    Namespace containment is not stored as edges (it was 98k of the 217k edges of the 100k
    benchmark): the snapshot's namespace index answers it. ``holds`` is the namespace name on
    a namespace node; ``mark`` is how many neighbour groups the node had when containment
    would have been recorded, so that links are still listed in the order they had when
    containment was stored as edges."""

    __slots__ = ("holds", "key", "mark", "obj", "pred", "ref", "succ")

    def __init__(self, key: ObjectKey, obj: KubeObject | None, ref: ObjectRef | None) -> None:
        self.key = key
        self.obj = obj
        self.ref = ref
        self.succ: dict[_Node, list[Edge]] | None = None
        self.pred: dict[_Node, list[Edge]] | None = None
        self.holds: str | None = None
        self.mark = 0

    def full_ref(self) -> ObjectRef:
        return self.obj.ref if self.obj is not None else self.ref  # type: ignore[return-value]


class ClusterGraph:
    """Objects and the references between them. ``graph`` may be a networkx ``MultiDiGraph``
    with the node attributes ``obj``/``ref`` and the edge attributes ``relation``/``pointer``/
    ``attrs``/``ref`` (what ``nx`` returns); ``build_graph`` fills the adjacency directly."""

    def __init__(self, snapshot: Snapshot, graph: nx.MultiDiGraph | None = None) -> None:
        self.snapshot = snapshot
        self._nodes: dict[ObjectKey, _Node] = {}
        self._namespaces: dict[str, _Node] | None = None
        """Namespace name -> its node, when containment is answered from the snapshot."""
        self._nx: nx.MultiDiGraph | None = None
        if graph is not None:
            for key, data in graph.nodes(data=True):
                obj = data.get("obj")
                self._nodes[key] = _Node(key, obj, None if obj is not None else data.get("ref"))
            # Successors and predecessors are read separately: each keeps its own order.
            made: dict[int, Edge] = {}
            for source, _target, data in graph.edges(data=True):
                made[id(data)] = Edge(
                    source, data["ref"], data["relation"], data["pointer"], data["attrs"])
            nodes = self._nodes
            for key, node in nodes.items():
                node.succ = {nodes[t]: [made[id(d)] for d in ds.values()]
                             for t, ds in graph.succ[key].items()} or None
                node.pred = {nodes[s]: [made[id(d)] for d in ds.values()]
                             for s, ds in graph.pred[key].items()} or None
            self._nx = graph

    # ---- namespace containment, from the snapshot ---------------------------------------
    def _container(self, node: _Node) -> _Node | None:
        """The namespace node that contains ``node``'s object, if containment is known."""
        if self._namespaces is None or node.obj is None or not node.obj.namespace:
            return None
        return self._namespaces.get(node.obj.namespace)

    def _contains_edge(self, namespace: _Node, obj: KubeObject) -> Edge:
        return Edge(namespace.key, obj.ref, CONTAINS, target_key=obj.key)

    def _succ_groups(self, node: _Node) -> _Groups:
        """``node``'s outgoing edges grouped by target, containment included, in order."""
        groups = list(node.succ.items()) if node.succ else []
        if node.holds is None or self._namespaces is None:
            return groups
        contained = self.snapshot.in_namespace(node.holds)
        if not contained:
            return groups
        nodes = self._nodes
        before, after = groups[:node.mark], groups[node.mark:]
        index = {target: i for i, (target, _) in enumerate(before)}
        merged: _Groups = [(t, list(es)) for t, es in before]
        later: dict[_Node, list[Edge]] = dict(after)
        for obj in contained:
            target = nodes[obj.key]
            edge = self._contains_edge(node, obj)
            at = index.get(target)
            if at is not None:
                merged[at][1].append(edge)
            else:
                index[target] = len(merged)
                merged.append((target, [edge, *later.pop(target, ())]))
        merged.extend((t, es) for t, es in after if t in later)
        return merged

    def _pred_groups(self, node: _Node) -> _Groups:
        """``node``'s incoming edges grouped by source, containment included, in order."""
        groups = list(node.pred.items()) if node.pred else []
        namespace = self._container(node)
        if namespace is None:
            return groups
        edge = self._contains_edge(namespace, node.obj)  # type: ignore[arg-type]
        for i, (source, edges) in enumerate(groups):
            if source is namespace:  # the namespace also refers to the object otherwise
                if i < node.mark:
                    groups[i] = (source, [*edges, edge])
                else:
                    del groups[i]
                    groups.insert(node.mark, (source, [edge, *edges]))
                return groups
        groups.insert(node.mark, (namespace, [edge]))
        return groups

    # ---- queries ------------------------------------------------------------------------
    @property
    def nx(self) -> nx.MultiDiGraph:
        """The same graph as a networkx ``MultiDiGraph`` (built on first use): node attributes
        ``obj`` (``None`` for a missing target) and ``ref``; edge attributes ``relation``,
        ``pointer``, ``attrs`` and ``ref``. Successors and predecessors are listed in the order
        ``outgoing`` and ``incoming`` list them."""
        if self._nx is None:
            import networkx as nx  # only pictures and graph algorithms pay for it

            graph = nx.MultiDiGraph()
            graph.add_nodes_from(
                (key, {"obj": node.obj, "ref": node.full_ref()})
                for key, node in self._nodes.items()
            )
            # Filled the way ``add_edge`` fills them (one key dict per node pair, shared by
            # both directions), each direction in this graph's own order.
            shared: dict[tuple[ObjectKey, ObjectKey], dict[int, dict[str, Any]]] = {}
            for key, node in self._nodes.items():
                succ = graph._succ[key]
                for target, edges in self._succ_groups(node):
                    succ[target.key] = shared[key, target.key] = {
                        i: _edge_attrs(e) for i, e in enumerate(edges)}
            for key, node in self._nodes.items():
                pred = graph._pred[key]
                for source, _ in self._pred_groups(node):
                    pred[source.key] = shared[source.key, key]
            self._nx = graph
        return self._nx

    def __contains__(self, key: object) -> bool:
        return key in self._nodes

    def node(self, key: ObjectKey) -> KubeObject | None:
        found = self._nodes.get(key)
        return found.obj if found else None

    def ref_of(self, key: ObjectKey) -> ObjectRef | None:
        found = self._nodes.get(key)
        return found.full_ref() if found else None

    def outgoing(self, key: ObjectKey, relation: str | None = None) -> list[Link]:
        """References ``key`` makes (for ``owner``: its owners)."""
        found = self._nodes.get(key)
        if found is None:
            return []
        if found.holds is not None and relation in (None, CONTAINS):
            groups: Iterable[tuple[_Node, list[Edge]]] = self._succ_groups(found)
        elif found.succ:
            groups = found.succ.items()
        else:
            return []
        return [
            Link(target.key, data.target, target.obj, data.relation, data.pointer, data.attrs)
            for target, edges in groups
            for data in edges
            if relation is None or data.relation == relation
        ]

    def incoming(self, key: ObjectKey, relation: str | None = None) -> list[Link]:
        """References made to ``key`` (for ``owner``: its dependents)."""
        found = self._nodes.get(key)
        if found is None:
            return []
        if relation in (None, CONTAINS) and self._namespaces is not None:
            groups: Iterable[tuple[_Node, list[Edge]]] = self._pred_groups(found)
        elif found.pred:
            groups = found.pred.items()
        else:
            return []
        links = []
        for source, edges in groups:
            source_key = source.key
            source_ref: ObjectRef | None = None
            for data in edges:
                if relation is not None and data.relation != relation:
                    continue
                if source is found:  # a self-reference: the edge names the object itself
                    ref = data.target
                else:
                    ref = source_ref = source_ref or source.full_ref()
                links.append(Link(source_key, ref, source.obj, data.relation, data.pointer,
                                  data.attrs))
        return links

    def relations_into(self, key: ObjectKey) -> set[str]:
        """The relations of the references made to ``key``: lets a caller that wants a few
        relations skip a node before ``incoming`` builds a link for each of its (possibly
        thousands of) referrers, such as every pod of a missing Node."""
        found = self._nodes.get(key)
        if found is None:
            return set()
        out = {data.relation for edges in found.pred.values() for data in edges} \
            if found.pred else set()
        if self._container(found) is not None:
            out.add(CONTAINS)
        return out

    def missing(self) -> Iterator[ObjectKey]:
        for key, node in self._nodes.items():
            if node.obj is None:
                yield key

    def release(self) -> None:
        """Break the cycles between nodes (each neighbour's ``succ`` and ``pred`` point at
        the other) so that dropping the graph frees it by reference counting. A one-shot scan
        never needs this; ``kaudit watch`` builds a graph per evaluation, and without it each
        dropped graph waits for a full collection (seconds at 100k objects). The graph is
        unusable afterwards."""
        for node in self._nodes.values():
            node.succ = node.pred = None
        self._nodes = {}
        self._namespaces = None
        self._nx = None


def build_graph(snapshot: Snapshot, extractors: Sequence[Extractor] = EXTRACTORS,
                costs: dict[str, float] | None = None) -> ClusterGraph:
    """The graph of ``snapshot``; with ``costs``, each extractor's CPU seconds (extracting
    and recording its edges) are added to it under its relation (the benchmark's table)."""
    graph = ClusterGraph(snapshot)
    nodes = graph._nodes
    with collector_paused():
        for obj in snapshot:  # each identity once, so no key repeats
            nodes[obj.key] = _Node(obj.key, obj, None)
        by_ref: dict[ObjectRef, _Node] = {}
        by_id: dict[int, _Node] = {}
        for extractor in extractors:
            started = time.process_time()
            if extractor is CONTAINS_EXTRACTOR:
                _add_containment(graph)
            else:
                _add_edges(graph, extractor.extract(snapshot), by_ref, by_id)
            if costs is not None:
                relation = extractor.relation
                costs[relation] = costs.get(relation, 0.0) + time.process_time() - started
    return graph


def _add_containment(graph: ClusterGraph) -> None:
    """What the ``contains`` extractor's edges recorded, without an edge per object: a node
    per namespace (a missing one when the Namespace object is absent), and on every node that
    already has neighbours how many, so queries can place containment where its edges were."""
    nodes = graph._nodes
    namespaces: dict[str, _Node] = {}
    for name in graph.snapshot.namespaces():
        key = ObjectKey("", "Namespace", "", name)
        node = nodes.get(key)
        if node is None:
            node = nodes[key] = _Node(key, None, ObjectRef("v1", "Namespace", "", name))
        node.holds = name
        node.mark = len(node.succ) if node.succ else 0
        namespaces[name] = node
    for node in nodes.values():
        if node.pred and node.obj is not None and node.obj.namespace:
            node.mark = len(node.pred)
    graph._namespaces = namespaces


def _add_edges(graph: ClusterGraph, edges: Iterable[Edge],
               by_ref: dict[ObjectRef, _Node], by_id: dict[int, _Node]) -> None:
    """Record each edge in both nodes' adjacency, written out flat rather than through a helper
    call: this loop runs once per edge (300k for the benchmark's 100k objects). The edges
    themselves are kept as the edge data (no copy per edge); consecutive edges from one source
    (a namespace's ``contains``, a pod's ``uses``) reuse its node without hashing its key again;
    a target named again by an equal ref (the Node, ServiceAccount and ConfigMap many pods use,
    the owner of several objects) is found through ``by_ref`` without deriving its key (an
    ``apiVersion`` split and a new ``ObjectKey``) once more. A ref the same extractor passes
    again as the same object (``workloads`` makes one per distinct target) is found through
    ``by_id`` first: an ``int`` hashed in C instead of the dataclass hashed in Python. Ids are
    stable while the graph is built because every edge recorded keeps its ref alive."""
    nodes = graph._nodes
    last_key: ObjectKey | None = None
    last_source: _Node | None = None
    for edge in edges:
        target_ref = edge.target
        target = by_id.get(id(target_ref))
        if target is None:
            target_key = edge.target_key
            if target_key is None:
                target = by_ref.get(target_ref)
                if target is None:
                    target_key = target_ref.key
                    target = nodes.get(target_key)
                    if target is None:
                        target = nodes[target_key] = _Node(target_key, None, target_ref)
                    by_ref[target_ref] = target
            else:
                target = nodes.get(target_key)
                if target is None:
                    target = nodes[target_key] = _Node(target_key, None, target_ref)
            by_id[id(target_ref)] = target
        key = edge.source
        if key is last_key:
            source = last_source  # type: ignore[assignment]
        else:
            source = nodes.get(key)
            if source is None:
                source = nodes[key] = _Node(key, None, ObjectRef(
                    _api_version_guess(key), key.kind, key.namespace, key.name))
            last_key, last_source = key, source
        data = edge
        attrs = edge.attrs
        if attrs is not NO_ATTRS and type(attrs) is not dict:  # a caller's own mapping type
            data = Edge(key, target_ref, edge.relation, edge.pointer, dict(attrs or {}))
        out = source.succ
        if out is None:
            source.succ = {target: [data]}
        else:
            found = out.get(target)
            if found is None:
                out[target] = [data]
            else:
                found.append(data)
        into = target.pred
        if into is None:
            target.pred = {source: [data]}
        else:
            found = into.get(source)
            if found is None:
                into[source] = [data]
            else:
                found.append(data)


def _api_version_guess(key: ObjectKey) -> str:
    return f"{key.group}/v1" if key.group else "v1"
