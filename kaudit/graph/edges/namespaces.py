"""Namespace -> every object in it: what namespace deletion has to get through."""

from __future__ import annotations

from collections.abc import Iterator

from kaudit.graph.model import Edge, Extractor
from kaudit.model import ObjectKey
from kaudit.snapshot import Snapshot
from kaudit.snapshot.reads import NOTHING

CONTAINS = "contains"


def namespace_edges(snapshot: Snapshot) -> Iterator[Edge]:
    for namespace in snapshot.namespaces():
        source = ObjectKey("", "Namespace", "", namespace)
        for obj in snapshot.in_namespace(namespace):
            yield Edge(source=source, target=obj.ref, relation=CONTAINS, target_key=obj.key)


EXTRACTOR = Extractor(CONTAINS, namespace_edges, reads=NOTHING)
