"""What changed between two snapshots of a cluster, per object, as JSON patches (RFC 6902).

Objects are matched by group, kind, namespace and name. A matched object whose uid changed
was deleted and re-created in between ("recreated"); its patch still shows how the new one
differs. Fields that change on every write and say nothing by themselves
(``metadata.resourceVersion``, ``metadata.managedFields``) are left out unless asked for.

An object is only called added or removed when the other snapshot read its kind: a second
dump that did not collect ConfigMaps says nothing about them (those are counted as
"unobserved").

Secret values were digested when the snapshots were loaded, so a patch can show that a value
changed (two different digests) but never the value. Output order is sorted and patches are
computed over key-sorted documents, so the same two snapshots always give the same diff.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonpatch
import orjson

from kaudit.model import ObjectKey, ObjectRef
from kaudit.snapshot import KubeObject, Snapshot

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

    def count(self, change: str) -> int:
        return sum(1 for c in self.changes if c.change == change)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "summary": {kind: self.count(kind) for kind in (ADDED, REMOVED, CHANGED, RECREATED)}
            | {"unchanged": self.unchanged, "unobserved": self.unobserved},
            "objects": [c.to_json() for c in self.changes],
        }


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
    return orjson.loads(orjson.dumps(body, option=orjson.OPT_SORT_KEYS))


def diff_snapshots(before: Snapshot, after: Snapshot, *,
                   keep_volatile: bool = False) -> SnapshotDiff:
    """Every object added, removed, changed or re-created from ``before`` to ``after``."""
    changes: list[ObjectChange] = []
    unchanged = unobserved = 0
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
            patch = tuple(_patch(old, new, keep_volatile))
            recreated = bool(old.uid and new.uid and old.uid != new.uid)
            if recreated:
                changes.append(ObjectChange(new.ref, RECREATED, patch))
            elif patch:
                changes.append(ObjectChange(new.ref, CHANGED, patch))
            else:
                unchanged += 1
    return SnapshotDiff(tuple(changes), unchanged, unobserved)


def _patch(old: KubeObject, new: KubeObject, keep_volatile: bool) -> Iterator[dict[str, Any]]:
    made = jsonpatch.make_patch(_normalise(old, keep_volatile), _normalise(new, keep_volatile))
    yield from (dict(op) for op in made.patch)
