"""Draw the resource graph (or part of it) as Graphviz dot, Mermaid or JSON.

Deterministic by construction: nodes and edges are sorted by key, node ids are derived from
object identity (dot, JSON) or from that sorted order (Mermaid, which needs plain ids), so the
same snapshot always gives byte-identical output that can be diffed or committed.

Names come from untrusted inputs: every label and id is written in the target's own quoting
(a DOT string, a Mermaid label with entity codes) after ``safe_text`` has turned control
characters into visible escapes, so a name can neither end its string early and inject
statements nor write an ESC sequence into the terminal the graph is printed to.
"""

from __future__ import annotations

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


def _label_lines(key: ObjectKey) -> tuple[str, str]:
    where = f"{key.namespace}/{key.name}" if key.namespace else key.name
    return key.kind, where


def _dot_text(text: str) -> str:
    """The body of a DOT string: a quote or backslash escaped (a label reads ``\\\\`` as one
    backslash), control characters as escapes. Graphviz
    reads ``\\"`` as an escaped quote even after another backslash, so a string cannot end in
    one: a final backslash is written as its escape, ``\\x5c``."""
    body = safe_text(text)
    if body.endswith("\\"):
        body = body[:-1] + "\\x5c"
    return body.replace("\\", "\\\\").replace('"', '\\"')


def _dot_string(text: str) -> str:
    return f'"{_dot_text(text)}"'


def _dot_label(key: ObjectKey) -> str:
    return '"' + "\\n".join(_dot_text(line) for line in _label_lines(key)) + '"'


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
        attrs = [f"label={_dot_label(key)}"]
        if obj is None:
            attrs.append("style=dashed")
        elif obj.deletion_timestamp is not None:
            attrs.append('color="red"')
            if obj.finalizers:
                attrs.append("penwidth=2")
        lines.append(f"  {_dot_string(node_id(key))} [{', '.join(attrs)}];")
    for s, t, d in edges:
        lines.append(f"  {_dot_string(node_id(s))} -> {_dot_string(node_id(t))} "
                     f"[label={_dot_string(d['relation'])}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# Mermaid reads ``#name;`` / ``#code;`` as an entity, and a label is HTML (``<``), may be a
# Markdown string (a backtick) and an edge label ends at ``|``.
_MERMAID = str.maketrans({"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "|": "#124;",
                          "`": "#96;", "&": "#amp;"})


def _mermaid_text(text: str) -> str:
    """``text`` inert inside a Mermaid label: control characters as escapes, then every
    character Mermaid would read as syntax as its entity code."""
    return safe_text(text).translate(_MERMAID)


def _mermaid_label(key: ObjectKey) -> str:
    return "<br/>".join(_mermaid_text(line) for line in _label_lines(key))


def render_mermaid(graph: ClusterGraph, keys: Iterable[ObjectKey] | None = None) -> str:
    nodes, edges = _selection(graph, keys)
    ids = {key: f"n{i}" for i, key in enumerate(nodes)}
    lines = ["flowchart LR"]
    for key in nodes:
        lines.append(f'  {ids[key]}["{_mermaid_label(key)}"]')
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
