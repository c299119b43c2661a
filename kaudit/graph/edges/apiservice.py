"""APIService -> the Service behind it: an unavailable aggregated API is usually a Service
without ready endpoints, and it blocks discovery, namespace deletion and garbage collection."""

from __future__ import annotations

from kaudit.graph.edges.fieldrefs import FieldRef

BACKED_BY = "backed-by"

APISERVICE_SERVICE = FieldRef(
    BACKED_BY, ("spec", "service"),
    kinds=frozenset({("apiregistration.k8s.io", "APIService")}), target=("v1", "Service"))
