"""The immutable, indexed set of objects one scan audits.

Rules look objects up by identity, kind, namespace and uid thousands of times; every index is
built once here so that no rule ever scans the whole snapshot to find one object (that is what
keeps 100k objects linear).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar

from kaudit.kinds import BUILTIN_CLUSTER_SCOPED, BUILTIN_NAMESPACED
from kaudit.model import CoverageGap, InputProblem, ObjectKey
from kaudit.snapshot.candidates import NAMES, index_candidates
from kaudit.snapshot.collector import collector_paused
from kaudit.snapshot.object import KubeObject

CRD_GROUP = "apiextensions.k8s.io"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where a snapshot came from, as the report states it (never credentials)."""

    type: str
    paths: tuple[str, ...] = ()
    context: str = ""
    server: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        if self.paths:
            out["paths"] = list(self.paths)
        if self.context:
            out["context"] = self.context
        if self.server:
            out["server"] = self.server
        return out


# eq=False: a snapshot is an identity (never compared by value), so caches can key on it.
@dataclass(frozen=True, eq=False)
class Snapshot:
    objects: tuple[KubeObject, ...]
    """Everything the inputs hold, repeats of one identity included; iterate the snapshot
    itself to see each identity once."""
    problems: tuple[InputProblem, ...] = ()
    gaps: tuple[CoverageGap, ...] = ()
    sources: tuple[SourceInfo, ...] = ()
    captured_at: datetime | None = None
    read_kinds: frozenset[tuple[str, str]] | None = None
    """(group, kind) pairs a live scan listed completely; ``None`` for file inputs, where a kind
    counts as read when at least one object of it is present (see ``was_read``)."""
    _by_key: Mapping[ObjectKey, tuple[KubeObject, ...]] = field(default_factory=dict, repr=False)
    _by_kind: Mapping[tuple[str, str], tuple[KubeObject, ...]] = field(
        default_factory=dict, repr=False)
    _by_namespace: Mapping[str, tuple[KubeObject, ...]] = field(default_factory=dict, repr=False)
    _by_uid: Mapping[str, KubeObject] = field(default_factory=dict, repr=False)
    _unique: tuple[KubeObject, ...] = field(default=(), repr=False)
    _repeated: tuple[ObjectKey, ...] = field(default=(), repr=False)
    """The first object of each identity, in input order (what iterating yields)."""
    _by_field: dict[str, dict[str, tuple[KubeObject, ...]]] = field(
        default_factory=dict, repr=False, compare=False)
    """Built on demand by ``having``: top-level field -> key inside it -> objects."""
    _candidates: dict[str, tuple[KubeObject, ...]] = field(
        default_factory=dict, repr=False, compare=False)
    """Built on the first ``candidates`` call (see ``kaudit.snapshot.candidates``)."""
    _derived: dict[Callable[[Any], Any], Any] = field(
        default_factory=dict, repr=False, compare=False)
    """Filled by ``derived``: builder -> what it built from this snapshot."""
    _cluster_scoped: frozenset[tuple[str, str]] = frozenset()
    _namespaced: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def build(
        cls,
        objects: Iterable[KubeObject],
        *,
        problems: Iterable[InputProblem] = (),
        gaps: Iterable[CoverageGap] = (),
        sources: Iterable[SourceInfo] = (),
        captured_at: datetime | None = None,
        read_kinds: frozenset[tuple[str, str]] | None = None,
    ) -> Snapshot:
        with collector_paused():  # the indexes are a few hundred thousand containers
            return cls._build(tuple(objects), tuple(problems), tuple(gaps), tuple(sources),
                              captured_at, read_kinds)

    @classmethod
    def _build(cls, objs: tuple[KubeObject, ...], problems: tuple[InputProblem, ...],
               gaps: tuple[CoverageGap, ...], sources: tuple[SourceInfo, ...],
               captured_at: datetime | None,
               read_kinds: frozenset[tuple[str, str]] | None) -> Snapshot:
        # One dict operation per object and no rebuilding afterwards: ``ObjectKey`` hashes in
        # Python, and at 100k objects every extra lookup per object is measurable.
        by_key: dict[ObjectKey, tuple[KubeObject, ...]] = {}
        by_kind: dict[tuple[str, str], list[KubeObject]] = {}
        by_ns: dict[str, list[KubeObject]] = {}
        by_uid: dict[str, KubeObject] = {}
        unique: list[KubeObject] = []
        repeated: dict[ObjectKey, None] = {}
        cluster_scoped = set(BUILTIN_CLUSTER_SCOPED)
        namespaced = set(BUILTIN_NAMESPACED)
        for obj in objs:
            key = obj.key
            found = by_key.get(key)
            if found is not None:
                by_key[key] = (*found, obj)
                repeated[key] = None
                continue  # a repeated identity is UQ001's business; rules see the first
            by_key[key] = (obj,)
            unique.append(obj)
            kind_key = (obj.group, obj.kind)
            same_kind = by_kind.get(kind_key)
            if same_kind is None:
                by_kind[kind_key] = [obj]
            else:
                same_kind.append(obj)
            if obj.namespace:
                same_ns = by_ns.get(obj.namespace)
                if same_ns is None:
                    by_ns[obj.namespace] = [obj]
                else:
                    same_ns.append(obj)
            if obj.uid and obj.uid not in by_uid:
                by_uid[obj.uid] = obj
            if obj.kind == "CustomResourceDefinition" and obj.group == CRD_GROUP:
                group = obj.spec.get("group")
                names = obj.spec.get("names")
                if isinstance(group, str) and isinstance(names, dict) and names.get("kind"):
                    target = cluster_scoped if obj.spec.get("scope") == "Cluster" else namespaced
                    target.add((group, str(names["kind"])))
        return cls(
            objects=objs,
            problems=problems,
            gaps=gaps,
            sources=sources,
            captured_at=captured_at,
            read_kinds=read_kinds,
            _by_key=MappingProxyType(by_key),
            _unique=tuple(unique),
            _repeated=tuple(repeated),
            _by_kind=MappingProxyType({k: tuple(v) for k, v in by_kind.items()}),
            _by_namespace=MappingProxyType({k: tuple(v) for k, v in by_ns.items()}),
            _by_uid=MappingProxyType(by_uid),
            _cluster_scoped=frozenset(cluster_scoped),
            _namespaced=frozenset(namespaced),
        )

    # ---- lookups ----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.objects)

    def __iter__(self) -> Iterator[KubeObject]:
        """Each identity once (its first definition), in input order."""
        return iter(self._unique)

    def get(self, key: ObjectKey) -> KubeObject | None:
        found = self._by_key.get(key)
        return found[0] if found else None

    def all_with_key(self, key: ObjectKey) -> tuple[KubeObject, ...]:
        """Every object the inputs define under ``key`` (more than one is a UQ001 case)."""
        return self._by_key.get(key, ())

    def keys(self) -> Iterable[ObjectKey]:
        return self._by_key.keys()

    def repeated_keys(self) -> tuple[ObjectKey, ...]:
        """Keys the inputs define more than once, in input order (known from the build, so a
        duplicate check need not look up every key)."""
        return self._repeated

    def having(self, field_name: str, key: str) -> tuple[KubeObject, ...]:
        """Objects (each identity once, in input order) whose top-level ``field_name`` is a
        mapping that holds ``key`` (``having("spec", "claimRef")``).

        Reference extractors that apply to any kind would otherwise each walk all objects to
        find the few that carry their field; the first call per ``field_name`` indexes every
        key under it in one pass, later calls are a lookup.
        """
        index = self._by_field.get(field_name)
        if index is None:
            lists: dict[str, list[KubeObject]] = {}
            for obj in self._unique:
                node = obj.raw.get(field_name)
                if isinstance(node, dict):
                    # ``dict.keys``: a lean object's body lists only the declared keys
                    # (``kaudit.snapshot.reads``), and a strict one must not refuse this.
                    for name in dict.keys(node):
                        found = lists.get(name)
                        if found is None:
                            lists[name] = [obj]
                        else:
                            found.append(obj)
            index = self._by_field[field_name] = {k: tuple(v) for k, v in lists.items()}
        return index.get(key, ())

    def candidates(self, name: str) -> tuple[KubeObject, ...]:
        """The objects (each identity once, in input order) for which a common rule
        precondition may hold: ``terminating``, ``finalized``, ``annotated``, ``owned``,
        ``conditioned``, ``generation-tracked`` (constants in ``kaudit.snapshot.candidates``).

        A rule that looks only at such objects walks this list instead of every object; all
        lists are built in one pass on the first call.
        """
        if not self._candidates:
            with collector_paused():
                self._candidates.update(index_candidates(self._unique))
        try:
            return self._candidates[name]
        except KeyError:
            raise KeyError(f"no candidate index {name!r}; choose from "
                           f"{', '.join(NAMES)}") from None

    def derived(self, build: Callable[[Snapshot], T]) -> T:
        """What ``build`` derives from this snapshot (an index rules and their helpers share),
        built on the first ask and kept with the snapshot: one per snapshot, never stale,
        freed with it."""
        try:
            return self._derived[build]  # type: ignore[no-any-return]
        except KeyError:
            value = self._derived[build] = build(self)
            return value

    def by_uid(self, uid: str) -> KubeObject | None:
        return self._by_uid.get(uid)

    def of_kind(self, kind: str, group: str | None = None) -> tuple[KubeObject, ...]:
        """Objects of ``kind``; with ``group=None``, of that kind in any group."""
        if group is not None:
            return self._by_kind.get((group, kind), ())
        found: list[KubeObject] = []
        for (_, k), objs in sorted(self._by_kind.items()):
            if k == kind:
                found.extend(objs)
        return tuple(found)

    def kinds(self) -> list[tuple[str, str]]:
        return sorted(self._by_kind)

    def in_namespace(self, namespace: str) -> tuple[KubeObject, ...]:
        return self._by_namespace.get(namespace, ())

    def namespaces(self) -> list[str]:
        return sorted(self._by_namespace)

    # ---- knowledge about kinds --------------------------------------------------------
    def is_cluster_scoped(self, group: str, kind: str) -> bool | None:
        """``True``/``False`` when known from the built-in table or a CRD, else ``None``."""
        if (group, kind) in self._cluster_scoped:
            return True
        if (group, kind) in self._namespaced:
            return False
        return None

    def was_read(self, group: str, kind: str) -> bool:
        """Whether absence of an object of this kind means it does not exist.

        A live scan knows which types it listed in full. A manifest folder only shows what it
        ships, so a kind counts as read there only when the inputs hold objects of it: a folder
        that does not ship the owner's kind says nothing about whether the owner exists.
        """
        if self.read_kinds is not None:
            return (group, kind) in self.read_kinds
        return (group, kind) in self._by_kind

    @property
    def is_live(self) -> bool:
        return any(s.type in ("live", "snapshot") for s in self.sources)
