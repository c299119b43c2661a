"""Gateway API routes -> the Gateway (or mesh Service) they attach to, and the Services they
send traffic to.

A route names its parents in ``spec.parentRefs`` and its backends in
``spec.rules[].backendRefs[]``; both default the namespace to the route's own, a parent's kind
to ``Gateway`` (group ``gateway.networking.k8s.io``) and a backend's kind to ``Service`` (core
group). Only those kinds (and a ``Service`` parent, the GAMMA mesh form) become edges: other
backend kinds (ServiceImport, a vendor's upstream type) are resolved by their own controllers.
The edge exists whatever the route's status says, so a route whose ``ResolvedRefs=True`` claims
a backend that is not there (aws-application-networking-k8s #544) is caught by the same
dangling-reference check as an Ingress backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kaudit.graph.edges.networking import BACKEND
from kaudit.graph.model import Edge, Extractor
from kaudit.model import ObjectRef
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.snapshot.reads import NOTHING

ROUTE_PARENT = "route-parent"    # route -> Gateway (or Service, for a mesh route)
GROUP = "gateway.networking.k8s.io"
ROUTE_KINDS = ("GRPCRoute", "HTTPRoute", "TCPRoute", "TLSRoute", "UDPRoute")
_SERVICE = ("", "Service")


def _routes(snapshot: Snapshot) -> Iterator[KubeObject]:
    for kind in ROUTE_KINDS:
        yield from snapshot.of_kind(kind, GROUP)


def _target(ref: Any, route: KubeObject, default: tuple[str, str]) -> ObjectRef | None:
    """The object a parentRef/backendRef names, or ``None`` when it is not one kaudit follows
    (another kind, no name)."""
    if not isinstance(ref, dict) or not isinstance(ref.get("name"), str) or not ref["name"]:
        return None
    group = ref.get("group")
    group = default[0] if group is None else str(group)
    kind = str(ref.get("kind") or default[1])
    if (group, kind) not in ((GROUP, "Gateway"), _SERVICE):
        return None
    namespace = ref.get("namespace")
    namespace = namespace if isinstance(namespace, str) and namespace else route.namespace
    api_version = f"{group}/v1" if group else "v1"
    return ObjectRef(api_version, kind, namespace, ref["name"])


def parent_edges(snapshot: Snapshot) -> Iterator[Edge]:
    for route in _routes(snapshot):
        parents = route.spec.get("parentRefs")
        for i, ref in enumerate(parents if isinstance(parents, list) else []):
            target = _target(ref, route, (GROUP, "Gateway"))
            if target is not None:
                yield Edge(route.key, target, ROUTE_PARENT, f"/spec/parentRefs/{i}")


def backend_edges(snapshot: Snapshot) -> Iterator[Edge]:
    for route in _routes(snapshot):
        rules = route.spec.get("rules")
        for r, rule in enumerate(rules if isinstance(rules, list) else []):
            backends = rule.get("backendRefs") if isinstance(rule, dict) else None
            for b, ref in enumerate(backends if isinstance(backends, list) else []):
                target = _target(ref, route, _SERVICE)
                if target is not None:
                    yield Edge(route.key, target, BACKEND, f"/spec/rules/{r}/backendRefs/{b}")


PARENT_EXTRACTOR = Extractor(ROUTE_PARENT, parent_edges, reads=NOTHING)
BACKEND_EXTRACTOR = Extractor(BACKEND, backend_edges, reads=NOTHING)
