"""Service nodePorts the API server will refuse: taken by another Service, repeated within one
Service, outside the cluster's NodePort range, or set on a type that has no node ports.

The across-Services part is the declarative ``UniqueConstraint`` engine (one grouping pass);
the rest needs an option (the range) and per-Service logic, hence a Python rule."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kaudit.rules import NOTHING, Finding, KubeObject, RuleContext, Severity, is_manifest, related
from kaudit.rules.options import OptionError
from kaudit_rules.unique.declarative import UniqueConstraintRule, parse_constraint

NODE_PORT_TYPES = ("NodePort", "LoadBalancer")
DEFAULT_RANGE = "30000-32767"
"""kube-apiserver's default ``--service-node-port-range``."""

CONSTRAINT = parse_constraint({
    "kinds": [{"group": "", "kind": "Service"}],
    "where": [{"field": "spec.type", "in": list(NODE_PORT_TYPES)}],
    "key": [{"field": "spec.ports[*].nodePort", "title": "nodePort"}],
    # A port number, unquoted as in the other UQ115 messages (the default quotes the value).
    "message": "nodePort {value} is also used by {others}",
    "scope": {"type": "cluster"},
    "conflict": "the API server allocates a nodePort once, so the second Service fails to apply",
})


def parse_range(text: str) -> tuple[int, int]:
    low, sep, high = str(text).partition("-")
    try:
        first, last = int(low), int(high)
    except ValueError:
        first = last = -1
    if not sep or not 0 < first <= last <= 65535:
        raise OptionError(f"node-port-range {text!r}: expected FIRST-LAST, e.g. {DEFAULT_RANGE}")
    return first, last


def _ports(service: KubeObject) -> Iterator[tuple[int, Mapping[str, Any]]]:
    ports = service.spec.get("ports")
    for i, port in enumerate(ports if isinstance(ports, list) else []):
        if isinstance(port, dict) and type(port.get("nodePort")) is int and port["nodePort"]:
            yield i, port


def _type(service: KubeObject) -> str:
    return str(service.spec.get("type") or "ClusterIP")


class ServiceNodePort(UniqueConstraintRule):
    """A Service nodePort the API server will refuse.

    A nodePort opens one port on every node for one Service. The API server refuses a
    Service that asks for a nodePort another Service already has ("provided port is already
    allocated"), the same nodePort twice for one protocol within one Service
    (``spec.ports[1].nodePort: Duplicate value``; TCP and UDP may share one), a nodePort
    outside the cluster's range ("provided port is not in the valid range", option
    ``node-port-range``, default 30000-32767 as kube-apiserver's
    ``--service-node-port-range``), and any nodePort on a ClusterIP Service
    (``may not be used when `type` is 'ClusterIP'``, also what turning a NodePort Service
    into a ClusterIP one without dropping its nodePorts gets).
    An install that ships such a Service breaks half-way. These apply-time checks look at
    manifests only (objects without the ``uid``/``resourceVersion`` a stored object has): a
    Service read from a cluster was accepted, so its cluster's range is wider. With
    ``--against``, a nodePort held by a different Service in the target cluster is reported
    too.
    Fix: drop the fixed ``nodePort`` (let the API server allocate one) or pick a free port in
    the range; set ``type: NodePort`` or ``LoadBalancer`` where a node port is wanted.
    """

    code = "UQ115"
    name = "service-node-port"
    severity = Severity.ERROR
    reads = NOTHING
    constraint = CONSTRAINT

    @dataclass(frozen=True)
    class Options:
        node_port_range: str = DEFAULT_RANGE

        def __post_init__(self) -> None:
            parse_range(self.node_port_range)

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        yield from super().check(ctx)
        first, last = parse_range(ctx.options.node_port_range)
        live = self._live_ports(ctx)
        for service in ctx.objects("Service", ""):
            if not is_manifest(service):
                continue  # stored, so the API server accepted it (its range may be wider)
            kind = _type(service)
            seen: dict[tuple[str, int], int] = {}
            for i, port in _ports(service):
                at = f"/spec/ports/{i}/nodePort"
                number = int(port["nodePort"])
                if kind == "ClusterIP":
                    yield self.finding(
                        service, at=at,
                        message=f"nodePort {number} on a Service of type {kind}: the API "
                                f"server refuses it (\"may not be used when `type` is "
                                f"'{kind}'\"); use type NodePort or LoadBalancer, or drop it")
                    continue
                protocol = str(port.get("protocol") or "TCP")
                earlier = seen.setdefault((protocol, number), i)
                if earlier != i:
                    yield self.finding(
                        service, at=at,
                        message=f"nodePort {number}/{protocol} is also spec.ports[{earlier}]'s: "
                                "the API server refuses the Service (Duplicate value)")
                if not first <= number <= last:
                    yield self.finding(
                        service, at=at,
                        message=f"nodePort {number} is outside the NodePort range "
                                f"{first}-{last}: the API server refuses it (\"provided port is "
                                "not in the valid range\")",
                        evidence={"range": f"{first}-{last}"})
                holder = live.get(number)
                if holder is not None and holder.key != service.key:
                    yield self.finding(
                        service, at=at,
                        message=f"nodePort {number} is already allocated to Service "
                                f"{holder.namespace}/{holder.name} in the target cluster: the "
                                "apply fails (\"provided port is already allocated\")",
                        related=[related(holder, "allocated-to")])

    @staticmethod
    def _live_ports(ctx: RuleContext[Options]) -> dict[int, KubeObject]:
        """nodePort -> the Service holding it in the ``--against`` cluster."""
        if ctx.against is None:
            return {}
        held: dict[int, KubeObject] = {}
        for service in ctx.against.of_kind("Service", ""):
            if _type(service) in NODE_PORT_TYPES:
                for _, port in _ports(service):
                    held.setdefault(int(port["nodePort"]), service)
        return held
