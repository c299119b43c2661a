"""metadata.ownerReferences: dependent -> owner, what garbage collection follows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kaudit.apiversions import groups_of, legacy_groups
from kaudit.graph.model import Edge, Extractor, resolve_namespace
from kaudit.model import ObjectKey, ObjectRef, split_api_version
from kaudit.snapshot import Snapshot
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


def owner_edges(snapshot: Snapshot) -> Iterator[Edge]:
    # Runs over every object; half of a typical cluster has owners (pods, replica sets), so
    # objects without any are skipped on one dict lookup.
    for obj in snapshot:
        refs = obj.metadata.get("ownerReferences")
        if not refs or not isinstance(refs, list):
            continue
        for i, ref in enumerate(refs):
            if not isinstance(ref, dict):
                continue
            kind = _text(ref.get("kind"))
            name = _text(ref.get("name"))
            if not kind or not name:
                continue
            api_version = _text(ref.get("apiVersion"))
            if obj.namespace:
                group = split_api_version(api_version)[0]
                namespace = resolve_namespace(snapshot, group, kind, name, obj.namespace)
            else:
                # The GC resolves a cluster-scoped dependent's owners at cluster scope only.
                namespace = ""
            if api_version.startswith(LEGACY_PREFIXES):
                api_version = _twin(snapshot, api_version, kind, namespace, name)
            yield Edge(
                source=obj.key,
                target=ObjectRef(api_version, kind, namespace, name),
                relation=OWNER,
                pointer=f"/metadata/ownerReferences/{i}",
                attrs={
                    "uid": _text(ref.get("uid")),
                    "controller": ref.get("controller") is True,
                    "blockOwnerDeletion": ref.get("blockOwnerDeletion") is True,
                },
            )


EXTRACTOR = Extractor(OWNER, owner_edges, reads=NOTHING)
