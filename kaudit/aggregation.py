"""Which APIServices are aggregated (proxied to an extension server) and which are local.

An aggregated APIService names its backend in ``spec.service``; a local one (every built-in
group-version has an automanaged one) has none and kube-apiserver serves it itself. Partial
dumps lose the spec -- ``kubectl get apiservice`` piped through a status-only template, a
support bundle that keeps conditions -- and then the status still tells: the aggregator's
availability controller (kube-aggregator ``pkg/controllers/status``) writes ``Local`` for a
local APIService and one of the reasons below only for one it proxies to a Service.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kaudit.snapshot import KubeObject

AGGREGATED_REASONS: frozenset[str] = frozenset({
    "Passed", "FailedDiscoveryCheck", "ServiceNotFound", "ServicePortError",
    "ServiceAccessError", "EndpointsNotFound", "EndpointsAccessError", "MissingEndpoints",
})
"""``Available`` reasons the availability controller writes only for an APIService backed by
a Service."""
LOCAL_REASON = "Local"


def backend(svc: KubeObject) -> Mapping[str, Any] | None:
    """``spec.service`` when it names a Service, else ``None``."""
    value = svc.spec.get("service")
    return value if isinstance(value, dict) and value.get("name") else None


def available_reason(svc: KubeObject) -> str:
    cond = svc.condition("Available")
    return str(cond.get("reason") or "") if cond is not None else ""


def is_aggregated(svc: KubeObject) -> bool:
    """Whether kube-apiserver proxies this APIService to an extension server: it names a
    Service, or (spec missing from a partial dump) its status has a reason only an aggregated
    APIService can have."""
    if backend(svc) is not None:
        return True
    return available_reason(svc) in AGGREGATED_REASONS


def group_version(svc: KubeObject) -> tuple[str, str]:
    """An APIService's group and version: from its spec, else from its name, which the API
    server requires to be ``<version>.<group>`` (a partial dump may keep only the name)."""
    group = svc.spec.get("group")
    version = svc.spec.get("version")
    if isinstance(group, str) and isinstance(version, str) and version:
        return group, version
    head, _, tail = svc.name.partition(".")
    return tail, head
