"""The resource graph built from a snapshot (a networkx view of it on demand)."""

from kaudit.graph.graph import ClusterGraph, Link, build_graph
from kaudit.graph.model import Edge, Extractor

__all__ = ["ClusterGraph", "Edge", "Extractor", "Link", "build_graph"]
