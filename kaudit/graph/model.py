"""The shapes every edge extractor produces."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from kaudit.model import ObjectKey, ObjectRef
from kaudit.snapshot import Snapshot
from kaudit.snapshot.reads import Reads


class _NoAttrs(dict[str, Any]):
    """An empty mapping that refuses to change: the one shared ``attrs`` of every edge that has
    none. A dict (so ``get`` stays a C call) that is hashable, which is what lets it be a plain
    dataclass default instead of a factory called for each of 300k edges."""

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]
        return 0

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("edge attributes are read-only")

    __setitem__ = __delitem__ = update = setdefault = pop = popitem = clear = _refuse
    __ior__ = _refuse  # type: ignore[assignment]


NO_ATTRS: Mapping[str, Any] = _NoAttrs()
"""The attributes of an edge that has none: one shared empty mapping, not a dict per edge
(200k empty dicts were 10 MiB of the 100k benchmark)."""


@dataclass(slots=True)
class Edge:
    """``source`` refers to ``target`` through ``relation``; ``pointer`` is where in the source
    object the reference is written (so a finding can point at it).

    Treat it as read-only. It is not ``frozen`` because a frozen dataclass sets each field
    through ``object.__setattr__``, which doubled the cost of making one, and a 100k-object
    cluster makes 300k of them; nothing hashes edges (the graph copies what it keeps).
    """

    source: ObjectKey
    target: ObjectRef
    relation: str
    pointer: str = ""
    attrs: Mapping[str, Any] = NO_ATTRS
    target_key: ObjectKey | None = field(default=None, compare=False, repr=False)
    """``target.key``, when the extractor already has it (an object's own key): saves
    re-deriving it from the ref for each of the 100k ``contains`` edges."""


@dataclass(frozen=True, slots=True)
class Extractor:
    """One relation: its name, and a pure function from a snapshot to its edges."""

    relation: str
    extract: Callable[[Snapshot], Iterator[Edge]]
    emits: tuple[str, ...] = ()
    """Every relation its edges can carry, when that is not just ``relation`` (one extractor
    compiled from several ``FieldRef`` lines): ``kaudit graph --help`` lists them from here,
    so the help cannot drift from what the graph draws."""

    reads: Reads | None = None
    """The body fields of lean kinds it reads (``kaudit.snapshot.reads``); ``None``: all."""

    def relations(self) -> tuple[str, ...]:
        return self.emits or (self.relation,)


def resolve_namespace(snapshot: Snapshot, group: str, kind: str, name: str,
                      referrer_namespace: str) -> str:
    """The namespace a reference without one points into.

    Kubernetes references (ownerReferences, most ``*Ref`` fields) omit the namespace: a
    namespaced target lives in the referrer's namespace, a cluster-scoped one in none. When the
    scope is unknown (a CRD not in the snapshot), whichever object exists wins, else the
    referrer's namespace.
    """
    scoped = snapshot.is_cluster_scoped(group, kind)
    if scoped is True:
        return ""
    if scoped is False:
        return referrer_namespace
    if snapshot.get(ObjectKey(group, kind, referrer_namespace, name)) is not None:
        return referrer_namespace
    if snapshot.get(ObjectKey(group, kind, "", name)) is not None:
        return ""
    return referrer_namespace
