"""What rules and graph extractors read of an object's body, and the lean form that keeps only
that.

A cluster dump is mostly pod specs: every Pod carries one, and so does the template of every
ReplicaSet, Deployment, StatefulSet, DaemonSet, Job and CronJob -- containers with their images,
commands, probes, resources and environment. Nothing kaudit checks reads most of it: the graph
follows a pod's volumes, service account and ``env``/``envFrom`` references, a few rules read a
selector or a replica count. Kept as parsed, those bodies were 45% of a 100k-object scan's
memory (``bench/RESULTS.md``).

So every rule and graph extractor *declares* which body fields of which built-in kinds it reads
(``Reads``), and the loader keeps, of the kinds listed in ``kaudit/data/lean_kinds.yaml``, only
the union of what the active rules and extractors declared (``Projection``). ``apiVersion``,
``kind``, ``metadata`` and ``status`` are always kept whole: every rule family reads them, and
the condition view (``kaudit.rules.conditions``) reads any part of ``status``. Objects of other
kinds (custom resources, Services, CRDs…) are never cut.

A reader that declares nothing (``reads = None``: a third-party rule written before this
existed) reads everything, and one such reader turns projection off for the whole scan: the
lean form is an optimisation, never a change of what a rule sees. ``strict`` projection (tests)
turns every read of a field that was dropped into ``UndeclaredRead``, so the suite proves each
built-in reader's declaration over every fixture, incident, scenario and corpus dump.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import orjson

ANY = "*"
"""A path step meaning every item of a list (as in ``kaudit.graph.edges.fieldrefs``)."""
EVERY_KIND = "*"
"""The key of ``Reads.body`` for paths read from objects of every lean kind."""
ALWAYS_KEPT = ("apiVersion", "kind", "metadata", "status")

Path = tuple[str, ...]


def _kind_key(kind: str) -> tuple[str, str] | str:
    """``"Pod"`` -> ``("", "Pod")``; ``"apps/Deployment"`` -> ``("apps", "Deployment")``."""
    if kind == EVERY_KIND:
        return EVERY_KIND
    group, _, name = kind.rpartition("/")
    return (group, name)


def _path(path: str | Path) -> Path:
    if isinstance(path, str):
        return tuple(path.split(".")) if path else ()
    return tuple(path)


@dataclass(frozen=True)
class Reads:
    """The body fields one reader reads, by kind.

    ``body`` maps a kind (``"Pod"``, ``"apps/Deployment"``, ``"*"`` for every kind) to dotted
    paths from the object root (``"spec.volumes"``; ``*`` steps into every item of a list:
    ``"spec.containers.*.envFrom"``). A path keeps everything below it; the empty path
    (``""`` or ``()``) keeps the whole object of that kind. Paths under
    ``apiVersion``, ``kind``, ``metadata`` and ``status`` need no declaring (always kept).
    ``whole_at_bytes``: objects whose JSON is at least this long are read whole (a size
    check that names the biggest part of a big object).
    """

    body: Mapping[str, tuple[str | Path, ...]] = field(default_factory=dict)
    whole_at_bytes: int | None = None
    whole_if_annotated: tuple[str, ...] = ()
    """Objects carrying one of these annotations are read whole (a controller's copy of the
    object it compares with the object itself)."""

    def paths(self) -> Iterator[tuple[tuple[str, str] | str, Path]]:
        for kind, paths in sorted(self.body.items()):
            for path in paths:
                yield _kind_key(kind), _path(path)


NOTHING = Reads()
"""A reader of metadata and status only (or of kinds that are not lean)."""


def union(*declarations: Reads) -> Reads:
    """One declaration reading everything the given ones read."""
    body: dict[str, tuple[str | Path, ...]] = {}
    whole_at: int | None = None
    annotated: dict[str, None] = {}
    for reads in declarations:
        for kind, paths in reads.body.items():
            body[kind] = (*body.get(kind, ()), *paths)
        if reads.whole_at_bytes is not None:
            whole_at = reads.whole_at_bytes if whole_at is None else \
                min(whole_at, reads.whole_at_bytes)
        annotated.update(dict.fromkeys(reads.whole_if_annotated))
    return Reads(body, whole_at, tuple(annotated))


def of_paths(kinds: Iterable[tuple[str, str]] | None, path: Path) -> Reads:
    """The reads of one field reference: ``path`` of ``kinds`` ((group, kind) pairs; ``None``
    for any kind)."""
    if kinds is None:
        return Reads({EVERY_KIND: (path,)})
    return Reads({(f"{g}/{k}" if g else k): (path,) for g, k in sorted(kinds)})


@cache
def lean_kinds() -> frozenset[tuple[str, str]]:
    """(group, kind) pairs whose bodies are kept only as far as declared
    (``kaudit/data/lean_kinds.yaml``)."""
    from kaudit import yamldata  # libyaml: read at every scan's start (tests/test_startup.py)

    text = resources.files("kaudit.data").joinpath("lean_kinds.yaml").read_text("utf-8")
    entries = yamldata.load(text)["kinds"]
    return frozenset((str(e.get("group") or ""), str(e["kind"])) for e in entries)


# ---- the projection ----------------------------------------------------------------------
# A tree node maps a field name to ``None`` (keep the value whole) or to a child node; the
# child of a list field is stored under the ``ANY`` key of that child.
Tree = dict[str, Any]


def _add(tree: Tree, path: Path) -> None:
    node = tree
    for i, step in enumerate(path):
        last = i == len(path) - 1
        if step in node and node[step] is None:
            return  # already kept whole
        if last:
            node[step] = None
            return
        child = node.get(step)
        if child is None:
            child = node[step] = {}
        node = child


class UndeclaredRead(LookupError):
    """A reader read a body field no reader declared (strict projection, tests only)."""


class StrictDict(dict[str, Any]):
    """A projected mapping that knows which keys were dropped and refuses to pretend they are
    absent: reading one, or looking at the mapping as a whole (iteration, length, truth),
    raises ``UndeclaredRead``. Used by the test suite only."""

    __slots__ = ("_dropped", "_where")

    def _refuse(self, what: str) -> UndeclaredRead:
        return UndeclaredRead(
            f"{what} at {self._where or '/'}: dropped by the lean projection "
            f"({', '.join(sorted(self._dropped))}); declare it in the reader's Reads")

    def __getitem__(self, key: str) -> Any:
        if key in self._dropped:
            raise self._refuse(f"read of {key!r}")
        return dict.__getitem__(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._dropped:
            raise self._refuse(f"read of {key!r}")
        return dict.get(self, key, default)

    def __contains__(self, key: object) -> bool:
        if key in self._dropped:
            raise self._refuse(f"test for {key!r}")
        return dict.__contains__(self, key)

    def __iter__(self) -> Iterator[str]:
        raise self._refuse("iteration")

    def __len__(self) -> int:
        raise self._refuse("length")

    def __bool__(self) -> bool:
        raise self._refuse("truth value")

    def keys(self) -> Any:
        raise self._refuse("keys()")

    def items(self) -> Any:
        raise self._refuse("items()")

    def values(self) -> Any:
        raise self._refuse("values()")

    def __eq__(self, other: object) -> bool:
        raise self._refuse("comparison")

    __hash__ = None  # type: ignore[assignment]


# A compiled tree (what ``_cut`` walks): field name -> ``None`` (keep the value whole) or a
# pair (the compiled node to cut a mapping value with, the compiled node to cut each item of a
# list value with); either may be ``None`` (a value of that shape is kept whole).
Compiled = dict[str, Any]


def _compile(tree: Tree) -> Compiled:
    out: Compiled = {}
    for key, sub in tree.items():
        if sub is None:
            out[key] = None
            continue
        mapping = {k: v for k, v in sub.items() if k != ANY}
        each = sub.get(ANY)
        out[key] = (_compile(mapping) if mapping else None,
                    _compile(each) if each is not None else None)
    return out


def _cut(node: dict[str, Any], tree: Compiled) -> dict[str, Any]:
    """``node`` cut to ``tree`` (the loader's hot path: plain lookups, no bookkeeping);
    ``node`` itself when nothing in it was cut."""
    out: dict[str, Any] = {}
    cut = False
    get = tree.get
    for key, value in node.items():
        sub = get(key, _ABSENT)
        if sub is None:
            out[key] = value
            continue
        if sub is _ABSENT:
            cut = True
            continue
        kind = type(value)
        if kind is dict:
            if sub[0] is not None:
                kept = _cut(value, sub[0])
                cut = cut or kept is not value
                value = kept
        elif kind is list:
            each = sub[1]
            if each is not None:
                value = [_cut(v, each) if type(v) is dict else v for v in value]
                cut = True
        out[key] = value
    if not cut:
        return node
    return out


_ABSENT = object()


def _project(node: dict[str, Any], tree: Tree, strict: bool, where: str) -> dict[str, Any]:
    """``node`` cut to ``tree``; ``node`` itself when nothing in it was cut."""
    out: dict[str, Any] = {}
    dropped: list[str] = []
    cut = False
    for key, value in node.items():
        if key not in tree:
            cut = True
            if strict:
                dropped.append(key)
            continue
        sub = tree[key]
        kept = value
        if sub is not None:
            each = sub.get(ANY)
            if each is not None or ANY in sub:
                # An unexpected shape is kept as it is: the reader sees what it would have.
                if type(value) is list and each is not None:
                    items = [_project(v, each, strict, f"{where}/{key}/{i}") if type(v) is dict
                             else v for i, v in enumerate(value)]
                    if any(a is not b for a, b in zip(items, value, strict=True)):
                        kept = items
            elif type(value) is dict:
                kept = _project(value, sub, strict, f"{where}/{key}")
        if kept is not value:
            cut = True
        out[key] = kept
    if not cut:
        return node
    if strict and dropped:
        strict_out = StrictDict(out)
        strict_out._dropped = frozenset(dropped)
        strict_out._where = where
        return strict_out
    return out


@dataclass(frozen=True)
class Projection:
    """The union of the active readers' declarations, compiled for the loader."""

    trees: Mapping[tuple[str, str], Tree]
    compiled: Mapping[tuple[str, str], Compiled]
    whole_at_bytes: int | None = None
    whole_if_annotated: frozenset[str] = frozenset()
    strict: bool = False
    manifests: bool = False
    """Project objects without a ``uid`` too (tests). By default only objects read back from an
    API server are cut: a manifest set in CI is small, and an object as written is what the
    apply-time checks read in full."""

    @classmethod
    def of(cls, declarations: Iterable[Reads | None], *, strict: bool = False,
           manifests: bool = False) -> Projection | None:
        """``None`` (keep everything) when any reader declared nothing."""
        declared = list(declarations)
        if any(reads is None for reads in declared):
            return None
        merged = union(*declared)  # type: ignore[arg-type]
        lean = lean_kinds()
        per_kind: dict[tuple[str, str], Tree] = {}
        wildcard: list[Path] = []
        whole: set[tuple[str, str]] = set()
        for kind, path in merged.paths():
            if not path:  # the whole object of that kind
                if kind == EVERY_KIND:
                    return None
                whole.add(kind)  # type: ignore[arg-type]
            elif kind == EVERY_KIND:
                wildcard.append(path)
            elif kind in lean:
                _add(per_kind.setdefault(kind, dict.fromkeys(ALWAYS_KEPT)),  # type: ignore[arg-type]
                     path)
        trees: dict[tuple[str, str], Tree] = {}
        for kind in sorted(lean - whole):
            tree = per_kind.get(kind) or dict.fromkeys(ALWAYS_KEPT)
            for path in wildcard:
                _add(tree, path)
            trees[kind] = tree
        compiled = {kind: _compile(tree) for kind, tree in trees.items()}
        return cls(trees, compiled, merged.whole_at_bytes,
                   frozenset(merged.whole_if_annotated), strict, manifests)

    def shape(self, raw: dict[str, Any], size: int, text: memoryview | None = None,
              ) -> tuple[dict[str, Any], int | None]:
        """``raw`` as the readers need it, and the fingerprint of the whole object when it
        was cut (``text``: ``raw`` serialised, when at hand). Cut when its kind is lean, it is
        small enough, no reader asked for it whole by an annotation, and (unless
        ``manifests``) it was read back from an API server."""
        kind = raw.get("kind")
        api_version = raw.get("apiVersion")
        if type(kind) is not str or type(api_version) is not str:
            return raw, None
        group = api_version.rpartition("/")[0] if "/" in api_version else ""
        tree = self.trees.get((group, kind))
        if tree is None:
            return raw, None
        if self.whole_at_bytes is not None and size >= self.whole_at_bytes:
            return raw, None
        meta = raw.get("metadata")
        if type(meta) is not dict:
            return raw, None
        if not self.manifests and not meta.get("uid"):
            return raw, None
        if self.whole_if_annotated:
            annotations = meta.get("annotations")
            if type(annotations) is dict and not self.whole_if_annotated.isdisjoint(annotations):
                return raw, None
        if self.strict:
            return _project(raw, tree, True, ""), fingerprint(raw, text)
        return _cut(raw, self.compiled[(group, kind)]), fingerprint(raw, text)

    def kept(self, group: str, kind: str) -> list[str]:
        """The kept paths of one kind, dotted (documentation and tests)."""
        tree = self.trees.get((group, kind))
        return sorted(_dotted(tree, ())) if tree is not None else []


_API_VERSION_MEMBER = re.compile(rb'\{"apiVersion":"(?:[^"\\]|\\.)*",?')


def fingerprint(raw: Mapping[str, Any], text: memoryview | None = None) -> int:
    """A hash of the whole object but its ``apiVersion``, key order aside: two definitions of
    one identity compare equal by it (UQ001) even after a lean projection cut their bodies.
    ``text``: the object's key-sorted compact JSON when the caller has it already
    (``kaudit.snapshot.limits.serialised``). Compared only within one process (``hash`` of
    bytes is salted per process)."""
    if text is None:
        try:
            text = memoryview(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS))
        except TypeError:  # nothing orjson can write: the loaders refuse such objects anyway
            return hash(repr(sorted(((k, v) for k, v in raw.items() if k != "apiVersion"),
                                    key=repr)))
    found = _API_VERSION_MEMBER.match(text)
    return hash(text[found.end() if found else 1 :])


def _dotted(tree: Tree, prefix: Path) -> Iterator[str]:
    for key, sub in tree.items():
        if sub is None:
            yield ".".join((*prefix, key))
        else:
            yield from _dotted(sub, (*prefix, key))
