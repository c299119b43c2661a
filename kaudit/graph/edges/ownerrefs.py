"""metadata.ownerReferences: dependent -> owner, what garbage collection follows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kaudit.apiversions import groups_of, legacy_groups
from kaudit.graph.model import Edge, Extractor, resolve_namespace
from kaudit.model import ObjectKey, ObjectRef, split_api_version
from kaudit.snapshot import Snapshot
from kaudit.snapshot.candidates import OWNED
from kaudit.snapshot.reads import NOTHING

OWNER = "owner"


def _text(value: Any) -> str:
    return value if type(value) is str else str(value or "")


LEGACY_PREFIXES = tuple(f"{g}/" for g in legacy_groups())
"""apiVersions of groups that serve a kind another group serves too (``extensions/``)."""


def _twin(snapshot: Snapshot, api_version: str, kind: str, namespace: str, name: str) -> str:
    """An owner named in a legacy group (``extensions/v1beta1`` Deployment, written by old
    controllers) is the same object as its twin in the current group: point at the twin when
    only it is in the snapshot."""
    group = split_api_version(api_version)[0]
    if snapshot.get(ObjectKey(group, kind, namespace, name)) is not None:
        return api_version
    for other in groups_of(group, kind)[1:]:
        twin = snapshot.get(ObjectKey(other, kind, namespace, name))
        if twin is not None:
            return twin.api_version
    return api_version


_POINTERS = tuple(f"/metadata/ownerReferences/{i}" for i in range(8))


def owner_edges(snapshot: Snapshot) -> Iterator[Edge]:
    # Half of a typical cluster has owners (pods, replica sets): only the objects with a
    # non-empty ownerReferences (the snapshot's ``owned`` candidates, in input order) are
    # visited, what an owner's apiVersion and kind say (group, scope, legacy group) is worked
    # out once per pair, not once per reference, and an owner of several dependents (a
    # ReplicaSet's pods) is one ref.
    known: dict[tuple[str, str], tuple[str, bool | None, bool]] = {}
    made: dict[tuple[str, str, str, str], ObjectRef] = {}  # one ref per owner (see workloads)
    for obj in snapshot.candidates(OWNED):
        refs = obj.metadata.get("ownerReferences")
        if not refs or not isinstance(refs, list):
            continue
        source = obj.key
        referrer = obj.namespace
        for i, ref in enumerate(refs):
            if not isinstance(ref, dict):
                continue
            kind = ref.get("kind")
            if type(kind) is not str:
                kind = _text(kind)
            name = ref.get("name")
            if type(name) is not str:
                name = _text(name)
            if not kind or not name:
                continue
            api_version = ref.get("apiVersion")
            if type(api_version) is not str:
                api_version = _text(api_version)
            facts = known.get((api_version, kind))
            if facts is None:
                group = split_api_version(api_version)[0]
                facts = known[api_version, kind] = (
                    group, snapshot.is_cluster_scoped(group, kind),
                    api_version.startswith(LEGACY_PREFIXES))
            group, scoped, legacy = facts
            if not referrer:
                # The GC resolves a cluster-scoped dependent's owners at cluster scope only.
                namespace = ""
            elif scoped is None:
                namespace = resolve_namespace(snapshot, group, kind, name, referrer)
            else:  # what resolve_namespace answers for a kind of known scope
                namespace = "" if scoped else referrer
            if legacy:
                api_version = _twin(snapshot, api_version, kind, namespace, name)
            ident = (api_version, kind, namespace, name)
            target = made.get(ident)
            if target is None:
                target = made[ident] = ObjectRef(api_version, kind, namespace, name)
            uid = ref.get("uid")
            yield Edge(
                source,
                target,
                OWNER,
                _POINTERS[i] if i < 8 else f"/metadata/ownerReferences/{i}",
                {
                    "uid": uid if type(uid) is str else _text(uid),
                    "controller": ref.get("controller") is True,
                    "blockOwnerDeletion": ref.get("blockOwnerDeletion") is True,
                },
            )


EXTRACTOR = Extractor(OWNER, owner_edges, reads=NOTHING)
