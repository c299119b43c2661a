"""metadata.ownerReferences: dependent -> owner, what garbage collection follows."""

from __future__ import annotations

from collections.abc import Iterator

from kaudit.graph.model import Edge, Extractor, resolve_namespace
from kaudit.model import ObjectRef, split_api_version
from kaudit.snapshot import Snapshot

OWNER = "owner"


def owner_edges(snapshot: Snapshot) -> Iterator[Edge]:
    for obj in snapshot:
        for i, ref in enumerate(obj.owner_references):
            api_version = str(ref.get("apiVersion") or "")
            kind = str(ref.get("kind") or "")
            name = str(ref.get("name") or "")
            if not kind or not name:
                continue
            group = split_api_version(api_version)[0]
            namespace = resolve_namespace(snapshot, group, kind, name, obj.namespace)
            if not obj.namespace:
                # The GC resolves a cluster-scoped dependent's owners at cluster scope only.
                namespace = ""
            yield Edge(
                source=obj.key,
                target=ObjectRef(api_version, kind, namespace, name),
                relation=OWNER,
                pointer=f"/metadata/ownerReferences/{i}",
                attrs={
                    "uid": str(ref.get("uid") or ""),
                    "controller": ref.get("controller") is True,
                    "blockOwnerDeletion": ref.get("blockOwnerDeletion") is True,
                },
            )


EXTRACTOR = Extractor(OWNER, owner_edges)
