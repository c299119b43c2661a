"""Draw the resource graph (or part of it) as Graphviz dot, Mermaid or JSON.

Deterministic by construction: nodes and edges are sorted by key, node ids are derived from
object identity (dot, JSON) or from that sorted order (Mermaid, which needs plain ids), so the
same snapshot always gives byte-identical output that can be diffed or committed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from kaudit.graph.graph import ClusterGraph
from kaudit.model import ObjectKey
from kaudit.textsafe import safe_text


def node_id(key: ObjectKey) -> str:
    gk = f"{key.kind}.{key.group}" if key.group else key.kind
    return f"{gk}/{key.namespace}/{key.name}" if key.namespace else f"{gk}/{key.name}"


def _selection(graph: ClusterGraph, keys: Iterable[ObjectKey] | None
               ) -> tuple[list[ObjectKey], list[tuple[ObjectKey, ObjectKey, dict[str, Any]]]]:
    chosen = set(graph.nx.nodes) if keys is None else set(keys) & set(graph.nx.nodes)
    nodes = sorted(chosen)
    edges = sorted(
        ((s, t, d) for s, t, d in graph.nx.edges(data=True) if s in chosen and t in chosen),
        key=lambda e: (e[0], e[1], e[2]["relation"], e[2]["pointer"]))
    return nodes, edges


def _facts(graph: ClusterGraph, key: ObjectKey) -> dict[str, Any]:
    obj = graph.node(key)
    ref = graph.ref_of(key)
    out: dict[str, Any] = {"id": node_id(key), "object": ref.to_json() if ref else {},
                           "present": obj is not None}
    if obj is not None:
        out["deleting"] = obj.deletion_timestamp is not None
        out["finalizers"] = list(obj.finalizers)
    return out


def _label(key: ObjectKey) -> str:
    where = f"{key.namespace}/{key.name}" if key.namespace else key.name
    return f"{key.kind}\n{where}"


def render_json(graph: ClusterGraph, keys: Iterable[ObjectKey] | None = None) -> str:
    nodes, edges = _selection(graph, keys)
    data = {
        "version": 1,
        "nodes": [_facts(graph, k) for k in nodes],
        "edges": [{"source": node_id(s), "target": node_id(t), "relation": d["relation"],
                   "pointer": d["pointer"]} for s, t, d in edges],
    }
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"


def render_dot(graph: ClusterGraph, keys: Iterable[ObjectKey] | None = None) -> str:
    nodes, edges = _selection(graph, keys)
    lines = ["digraph kaudit {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];']
    for key in nodes:
        obj = graph.node(key)
        attrs = [f"label={json.dumps(_label(key))}"]
        if obj is None:
            attrs.append("style=dashed")
        elif obj.deletion_timestamp is not None:
            attrs.append('color="red"')
            if obj.finalizers:
                attrs.append("penwidth=2")
        lines.append(f"  {json.dumps(node_id(key))} [{', '.join(attrs)}];")
    for s, t, d in edges:
        lines.append(f"  {json.dumps(node_id(s))} -> {json.dumps(node_id(t))} "
                     f"[label={json.dumps(d['relation'])}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    # Names come from the cluster: control characters are escaped, so that printing the
    # diagram on a terminal cannot drive it (dot and JSON escape them as JSON strings).
    return safe_text(text, multiline=True).replace('"', "#quot;").replace("\n", "<br/>")


def render_mermaid(graph: ClusterGraph, keys: Iterable[ObjectKey] | None = None) -> str:
    nodes, edges = _selection(graph, keys)
    ids = {key: f"n{i}" for i, key in enumerate(nodes)}
    lines = ["flowchart LR"]
    for key in nodes:
        lines.append(f'  {ids[key]}["{_mermaid_text(_label(key))}"]')
    for s, t, d in edges:
        lines.append(f"  {ids[s]} -->|{_mermaid_text(d['relation'])}| {ids[t]}")
    deleting = [ids[k] for k in nodes
                if (o := graph.node(k)) is not None and o.deletion_timestamp is not None]
    missing = [ids[k] for k in nodes if graph.node(k) is None]
    if deleting:
        lines.append("  classDef deleting stroke:#d00,stroke-width:2px")
        lines.append(f"  class {','.join(deleting)} deleting")
    if missing:
        lines.append("  classDef missing stroke-dasharray: 5 5")
        lines.append(f"  class {','.join(missing)} missing")
    return "\n".join(lines) + "\n"


RENDERERS: dict[str, Callable[[ClusterGraph, Iterable[ObjectKey] | None], str]] = {
    "dot": render_dot,
    "mermaid": render_mermaid,
    "json": render_json,
}
