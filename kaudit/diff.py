"""What changed between two snapshots of a cluster, per object, as JSON patches (RFC 6902).

Objects are matched by group, kind, namespace and name. A matched object whose uid changed
was deleted and re-created in between ("recreated"); its patch still shows how the new one
differs. Fields that change on every write and say nothing by themselves
(``metadata.resourceVersion``, ``metadata.managedFields``) are left out unless asked for.

An object is only called added or removed when the other snapshot read its kind: a second
dump that did not collect ConfigMaps says nothing about them (those are counted as
"unobserved").

Secret values were digested when the snapshots were loaded, so a patch can show that a value
changed (two different digests) but never the value, nor the digest (digests under a per-run
key differ from run to run; ``digest.SHOWN`` stands in). Two digests made under different
keys (snapshots saved with different team keys, or without one) say nothing about the
values: they are counted as "not comparable" instead of being reported as changed or equal.
Output order is sorted and patches are computed over key-sorted documents, so the same two
snapshots always give the same diff.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import jsonpatch
import orjson

from kaudit.model import ObjectKey, ObjectRef
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.snapshot.digest import SHOWN, comparable, is_digest

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
RECREATED = "recreated"
VOLATILE: tuple[tuple[str, ...], ...] = (
    ("metadata", "resourceVersion"),
    ("metadata", "managedFields"),
)


@dataclass(frozen=True)
class ObjectChange:
    ref: ObjectRef
    change: str
    patch: tuple[dict[str, Any], ...] = ()
    not_comparable: int = 0
    """Secret values whose digests were made under different keys."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"object": self.ref.to_json(), "change": self.change}
        if self.change in (CHANGED, RECREATED):
            out["patch"] = list(self.patch)
        return out


@dataclass(frozen=True)
class SnapshotDiff:
    changes: tuple[ObjectChange, ...]
    unchanged: int
    unobserved: int = 0
    not_comparable: int = 0
    """Secret values that could not be compared (digests under different keys)."""

    def count(self, change: str) -> int:
        return sum(1 for c in self.changes if c.change == change)

    def to_json(self) -> dict[str, Any]:
        summary: dict[str, Any] = {
            kind: self.count(kind) for kind in (ADDED, REMOVED, CHANGED, RECREATED)}
        summary |= {"unchanged": self.unchanged, "unobserved": self.unobserved}
        if self.not_comparable:
            summary["notComparable"] = self.not_comparable
        return {"version": 1, "summary": summary,
                "objects": [c.to_json() for c in self.changes]}


def _sort_key(key: ObjectKey) -> tuple[str, str, str, str]:
    return (key.group, key.kind, key.namespace, key.name)


def _normalise(obj: KubeObject, keep_volatile: bool) -> Any:
    """A key-sorted deep copy (so patches do not depend on the input's key order)."""
    body = copy.deepcopy(obj.raw)
    if not keep_volatile:
        for path in VOLATILE:
            node = body
            for step in path[:-1]:
                node = node.get(step) if isinstance(node, dict) else None
            if isinstance(node, dict):
                node.pop(path[-1], None)
    try:
        return orjson.loads(orjson.dumps(body, option=orjson.OPT_SORT_KEYS))
    except TypeError:  # deeper or bigger than orjson writes (loaders bound both): as it is
        return body


def diff_snapshots(before: Snapshot, after: Snapshot, *,
                   keep_volatile: bool = False) -> SnapshotDiff:
    """Every object added, removed, changed or re-created from ``before`` to ``after``."""
    changes: list[ObjectChange] = []
    unchanged = unobserved = not_comparable = 0
    keys = sorted(set(before.keys()) | set(after.keys()), key=_sort_key)
    for key in keys:
        old, new = before.get(key), after.get(key)
        if old is None and new is not None:
            if before.was_read(key.group, key.kind):
                changes.append(ObjectChange(new.ref, ADDED))
            else:
                unobserved += 1
        elif new is None and old is not None:
            if after.was_read(key.group, key.kind):
                changes.append(ObjectChange(old.ref, REMOVED))
            else:
                unobserved += 1
        elif old is not None and new is not None:
            patch, blind = _patch(old, new, keep_volatile)
            not_comparable += blind
            recreated = bool(old.uid and new.uid and old.uid != new.uid)
            if recreated:
                changes.append(ObjectChange(new.ref, RECREATED, patch, blind))
            elif patch:
                changes.append(ObjectChange(new.ref, CHANGED, patch, blind))
            else:
                unchanged += 1
    return SnapshotDiff(tuple(changes), unchanged, unobserved, not_comparable)


def _patch(old: KubeObject, new: KubeObject,
           keep_volatile: bool) -> tuple[tuple[dict[str, Any], ...], int]:
    """The patch from ``old`` to ``new`` and how many digests could not be compared."""
    before, after = _normalise(old, keep_volatile), _normalise(new, keep_volatile)
    blind = _blind(before, after)
    made = jsonpatch.make_patch(before, after)
    return tuple(_hide_digests(dict(op)) for op in made.patch), blind


_NOT_COMPARABLE = "<not comparable: digests under different keys>"


def _blind(before: Any, after: Any) -> int:
    """Replace, in both documents, pairs of digests made under different keys by one marker
    (so they patch as equal) and count them. Iterative: the documents are bounded in depth
    on load, but there is no need to recurse."""
    count = 0
    pairs: list[tuple[Any, Any]] = [(before, after)]
    while pairs:
        left, right = pairs.pop()
        for key in _shared_keys(left, right):
            a, b = left[key], right[key]
            if not (is_digest(a) and is_digest(b)):
                pairs.append((a, b))
            elif not comparable(a, b):
                left[key] = right[key] = _NOT_COMPARABLE
                count += 1
    return count


def _shared_keys(left: Any, right: Any) -> list[Any]:
    """The keys (or indexes) two dicts (or lists) both have; none for anything else."""
    if isinstance(left, dict) and isinstance(right, dict):
        return sorted(left.keys() & right.keys())
    if isinstance(left, list) and isinstance(right, list):
        return list(range(min(len(left), len(right))))
    return []


def _hide_digests(value: Any) -> Any:
    """``value`` with every digest replaced by ``SHOWN`` (digests are not for reading)."""
    if isinstance(value, str):
        return SHOWN if is_digest(value) else value
    if isinstance(value, dict):
        return {k: _hide_digests(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_hide_digests(v) for v in value]
    return value
