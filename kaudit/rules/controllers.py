"""Which objects have a controller, and which are named as one: read once per snapshot.

Half the objects of a cluster carry ``ownerReferences`` (every Pod of a ReplicaSet, every
ReplicaSet of a Deployment). Rules that ask "does this object have a controller" (UQ002 skips
controlled workloads) or "is this object some object's controller" (ST002 looks only at
parents) each walked all of those references; this walks them once, over the snapshot's
``owned`` candidates, and every later question is a set lookup. Kept per snapshot (freed with
it), so a watch loop's next snapshot never sees the previous one's answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kaudit.snapshot import KubeObject, Snapshot
from kaudit.snapshot.candidates import OWNED


@dataclass(frozen=True, slots=True)
class Controllers:
    controlled: frozenset[KubeObject]
    """Objects with an ownerReference marked ``controller: true``."""
    names: Mapping[str, frozenset[str]]
    """kind -> names some object's ``controller: true`` reference gives (any group, any
    namespace: a superset of the objects that control something)."""


def controllers(snapshot: Snapshot) -> Controllers:
    """The snapshot's controller references (read on the first call)."""
    return snapshot.derived(_read)


def _read(snapshot: Snapshot) -> Controllers:
    controlled: list[KubeObject] = []
    names: dict[str, set[str]] = {}
    for obj in snapshot.candidates(OWNED):
        refs = obj.metadata.get("ownerReferences")
        if not isinstance(refs, list):
            continue
        marked = False
        for ref in refs:
            if isinstance(ref, dict) and ref.get("controller") is True:
                marked = True
                kind, name = ref.get("kind"), ref.get("name")
                # As ``str(value or "")``: a reference's fields are untrusted input.
                kind = kind if type(kind) is str else str(kind or "")
                name = name if type(name) is str else str(name or "")
                same_kind = names.get(kind)
                if same_kind is None:
                    names[kind] = {name}
                else:
                    same_kind.add(name)
        if marked:
            controlled.append(obj)
    return Controllers(frozenset(controlled),
                       {kind: frozenset(found) for kind, found in names.items()})
