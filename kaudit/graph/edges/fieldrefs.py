"""Declarative references: "this field of these kinds names that object".

Most references controllers follow are a field holding ``{apiVersion, kind, name[, namespace]}``
or a bare name of a known kind. Describing them as data keeps each relation one line and lets
packs add their own without writing an extractor.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kaudit.graph.model import Edge, Extractor, resolve_namespace
from kaudit.model import ObjectRef, split_api_version
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.snapshot.reads import Reads, of_paths, union

ANY = "*"


@dataclass(frozen=True, slots=True)
class FieldRef:
    """``path`` from the object root to the reference; ``*`` walks every item of a list.

    With ``target`` (apiVersion, kind) the field is a bare name (or a dict with ``name``) of
    that kind; without it the field is an object reference with its own apiVersion and kind.
    ``kinds`` limits the source objects to (group, kind) pairs; ``None`` means any kind whose
    field has the right shape.
    """

    relation: str
    path: tuple[str, ...]
    kinds: frozenset[tuple[str, str]] | None = None
    target: tuple[str, str] | None = None
    cluster_scoped_target: bool = False
    _target_group: str = field(init=False, repr=False, compare=False, default="")

    def __post_init__(self) -> None:
        if self.target is not None:
            object.__setattr__(self, "_target_group", split_api_version(self.target[0])[0])

    def reads(self) -> Reads:
        """The field it follows, of the kinds it reads (``kaudit.snapshot.reads``)."""
        return of_paths(self.kinds, self.path)

    def extract(self, snapshot: Snapshot) -> Iterator[Edge]:
        first = self.path[0] if self.path and self.path[0] != ANY else None
        second = self.path[1] if len(self.path) > 1 and self.path[1] != ANY else None
        if self.kinds is not None:
            sources: Iterable[KubeObject] = (
                o for gk in sorted(self.kinds) for o in snapshot.of_kind(gk[1], gk[0]))
        elif first is not None and second is not None and isinstance(second, str):
            # Only the objects that carry the field (an index lookup, not a walk over all).
            sources = snapshot.having(first, second)
        else:
            sources = snapshot
        if ANY not in self.path:
            # One field per object (an Event's ``involvedObject``, a claim's ``resourceRef``):
            # a loop of lookups and one pointer, not the recursive walk's generators.
            path = self.path
            fixed = "".join("/" + _escape(step) for step in path)
            for obj in sources:
                node: Any = obj.raw
                for step in path:
                    node = node.get(step) if isinstance(node, dict) else None
                if node is not None:
                    ref = self._target_of(snapshot, obj, node)
                    if ref is not None:
                        yield Edge(obj.key, ref, self.relation, fixed)
            return
        for obj in sources:
            if first is not None and obj.raw.get(first) is None:
                continue
            for pointer, value in _walk(obj.raw, self.path, ""):
                ref = self._target_of(snapshot, obj, value)
                if ref is not None:
                    yield Edge(source=obj.key, target=ref, relation=self.relation, pointer=pointer)

    def _target_of(self, snapshot: Snapshot, obj: KubeObject, value: Any) -> ObjectRef | None:
        if self.target is not None:
            api_version, kind = self.target
            name = value.get("name") if isinstance(value, dict) else value
            namespace = value.get("namespace") if isinstance(value, dict) else None
        elif isinstance(value, dict):
            api_version = value.get("apiVersion") or ""
            kind = value.get("kind")
            name = value.get("name")
            namespace = value.get("namespace")
        else:
            return None
        if not isinstance(kind, str) or not kind or not isinstance(name, str) or not name:
            return None
        if not isinstance(api_version, str):
            return None
        if self.cluster_scoped_target:
            namespace = ""
        elif not isinstance(namespace, str) or not namespace:
            # A fixed target's group is known; only references naming their own need a split.
            group = self._target_group if self.target is not None else \
                split_api_version(api_version)[0]
            namespace = resolve_namespace(snapshot, group, kind, name, obj.namespace)
        return ObjectRef(api_version, kind, namespace, name)


def _walk(node: Any, path: tuple[str, ...], pointer: str) -> Iterator[tuple[str, Any]]:
    if not path:
        if node is not None:
            yield pointer, node
        return
    step, rest = path[0], path[1:]
    if step == ANY:
        if isinstance(node, list):
            for i, item in enumerate(node):
                yield from _walk(item, rest, f"{pointer}/{i}")
        return
    if isinstance(node, dict) and step in node:
        escaped = step.replace("~", "~0").replace("/", "~1")
        yield from _walk(node[step], rest, f"{pointer}/{escaped}")


def field_extractor(ref: FieldRef) -> Extractor:
    return Extractor(ref.relation, ref.extract, reads=ref.reads())


class _Step:
    """One node of the compiled path trie: the references that end here, and the steps on
    (a key with its JSON-pointer piece escaped once, or ``*`` for every list item), in the
    order the ``FieldRef`` lines first named them."""

    __slots__ = ("next", "refs")

    def __init__(self) -> None:
        self.refs: list[FieldRef] = []
        self.next: dict[str, _Step] = {}

    def compiled(self) -> tuple[tuple[FieldRef, ...],
                                tuple[tuple[str, str, tuple[Any, ...]], ...]]:
        """``(refs, ((step, "/piece", child), ...))`` as plain tuples: the walk runs ~20 times
        per pod and reads them without attribute or escaping work."""
        return tuple(self.refs), tuple(
            (step, "" if step == ANY else "/" + _escape(step), child.compiled())
            for step, child in self.next.items())


def _trie(refs: Sequence[FieldRef]) -> tuple[Any, ...]:
    root = _Step()
    for ref in refs:
        node = root
        for step in ref.path:
            node = node.next.setdefault(step, _Step())
        node.refs.append(ref)
    return root.compiled()


def _escape(step: str) -> str:
    return step.replace("~", "~0").replace("/", "~1") if ("~" in step or "/" in step) else step


_ABSENT = object()


def compile_refs(relation: str, refs: Sequence[FieldRef]) -> Extractor:
    """One extractor for several ``FieldRef`` lines over the same kinds: one walk per object,
    over a path trie compiled from the lines (walking each line separately cost 5 s per 50k
    pods; the trie walk visits only keys that exist). The general way to walk many lines at
    once, and what a hand-written walker over the same lines must agree with (``workloads``
    is tested against it)."""
    trie = _trie(refs)
    kinds = sorted({gk for ref in refs for gk in (ref.kinds or ())})

    def visit(snapshot: Snapshot, obj: Any, node: Any, step: tuple[Any, ...], pointer: str,
              out: list[Edge]) -> None:
        # Plain recursion into a list rather than nested generators (each ``yield from``
        # level re-yields every edge), over a trie compiled to tuples: measured on 27k pods,
        # the walk cost more than making their edges.
        refs, steps = step
        if refs and node is not None:
            for ref in refs:
                if ref.kinds is None or (obj.group, obj.kind) in ref.kinds:
                    target = ref._target_of(snapshot, obj, node)
                    if target is not None:
                        out.append(Edge(source=obj.key, target=target, relation=ref.relation,
                                        pointer=pointer))
        if not steps:
            return
        if isinstance(node, dict):
            for key, piece, deeper in steps:
                if key != ANY:
                    value = node.get(key, _ABSENT)
                    if value is not _ABSENT:
                        visit(snapshot, obj, value, deeper, pointer + piece, out)
        elif isinstance(node, list):
            for key, _, deeper in steps:
                if key == ANY:
                    for i, item in enumerate(node):
                        visit(snapshot, obj, item, deeper, f"{pointer}/{i}", out)

    def extract(snapshot: Snapshot) -> Iterator[Edge]:
        out: list[Edge] = []
        for group, kind in kinds:
            for obj in snapshot.of_kind(kind, group):
                visit(snapshot, obj, obj.raw, trie, "", out)
                yield from out
                out.clear()

    return Extractor(relation, extract, tuple(dict.fromkeys(ref.relation for ref in refs)),
                     reads=union(*(ref.reads() for ref in refs)))
