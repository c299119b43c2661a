"""metadata.ownerReferences: dependent -> owner, what garbage collection follows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kaudit.graph.model import Edge, Extractor, resolve_namespace
from kaudit.model import ObjectRef, split_api_version
from kaudit.snapshot import Snapshot

OWNER = "owner"


def _text(value: Any) -> str:
    return value if type(value) is str else str(value or "")


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


EXTRACTOR = Extractor(OWNER, owner_edges)
