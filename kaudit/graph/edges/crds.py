"""CustomResourceDefinition -> each object of the kind it defines."""

from __future__ import annotations

from collections.abc import Iterator

from kaudit.graph.model import Edge, Extractor
from kaudit.snapshot import Snapshot
from kaudit.snapshot.reads import NOTHING

DEFINES = "defines"


def crd_edges(snapshot: Snapshot) -> Iterator[Edge]:
    for crd in snapshot.of_kind("CustomResourceDefinition", "apiextensions.k8s.io"):
        group = crd.spec.get("group")
        names = crd.spec.get("names")
        if not isinstance(group, str) or not isinstance(names, dict):
            continue
        kind = names.get("kind")
        if not isinstance(kind, str):
            continue
        for obj in snapshot.of_kind(kind, group):
            yield Edge(source=crd.key, target=obj.ref, relation=DEFINES, target_key=obj.key)


EXTRACTOR = Extractor(DEFINES, crd_edges, reads=NOTHING)
