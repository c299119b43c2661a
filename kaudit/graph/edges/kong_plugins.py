"""Kong plugins attached to routes, services and consumers.

KIC attaches a plugin in two ways: the ``konghq.com/plugins`` annotation (comma-separated
names) on an Ingress, Service, HTTPRoute/GRPCRoute/TCPRoute/UDPRoute/TLSRoute, KongConsumer or
KongConsumerGroup, and an HTTPRoute ``ExtensionRef`` filter naming a KongPlugin. A name resolves
to the KongPlugin of the object's namespace, else to the KongClusterPlugin of that name (KIC's
order); ``namespace:name`` names a KongPlugin in another namespace (allowed by a
ReferenceGrant). The edge records the alternative kind, so a dangling check only calls a plugin
absent when both kinds were read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kaudit.graph.model import Edge, Extractor
from kaudit.model import ObjectKey, ObjectRef
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.snapshot.reads import NOTHING

PLUGIN = "plugin"
ANNOTATION = "konghq.com/plugins"
GROUP = "configuration.konghq.com"
KONG_PLUGIN = ObjectRef(f"{GROUP}/v1", "KongPlugin", "", "")
KONG_CLUSTER_PLUGIN = ObjectRef(f"{GROUP}/v1", "KongClusterPlugin", "", "")

ATTACHING_KINDS: frozenset[tuple[str, str]] = frozenset({
    ("networking.k8s.io", "Ingress"), ("extensions", "Ingress"), ("", "Service"),
    ("gateway.networking.k8s.io", "HTTPRoute"), ("gateway.networking.k8s.io", "GRPCRoute"),
    ("gateway.networking.k8s.io", "TCPRoute"), ("gateway.networking.k8s.io", "UDPRoute"),
    ("gateway.networking.k8s.io", "TLSRoute"), (GROUP, "KongConsumer"),
    (GROUP, "KongConsumerGroup"),
})
_POINTER = "/metadata/annotations/" + ANNOTATION.replace("/", "~1")


def resolve_plugin(snapshot: Snapshot, namespace: str, name: str) -> tuple[ObjectRef, bool]:
    """The plugin a name attaches, and whether it is the cluster-wide fallback."""
    if ":" in name:
        namespace, name = name.split(":", 1)
    local = ObjectKey(GROUP, "KongPlugin", namespace, name)
    if snapshot.get(local) is not None:
        return ObjectRef(KONG_PLUGIN.api_version, "KongPlugin", namespace, name), False
    if snapshot.get(ObjectKey(GROUP, "KongClusterPlugin", "", name)) is not None:
        return ObjectRef(KONG_CLUSTER_PLUGIN.api_version, "KongClusterPlugin", "", name), True
    return ObjectRef(KONG_PLUGIN.api_version, "KongPlugin", namespace, name), False


def plugin_edges(snapshot: Snapshot) -> Iterator[Edge]:
    for group, kind in sorted(ATTACHING_KINDS):
        for obj in snapshot.of_kind(kind, group):
            yield from _annotation_edges(snapshot, obj)
            if kind == "HTTPRoute":
                yield from _extension_ref_edges(snapshot, obj)


def _annotation_edges(snapshot: Snapshot, obj: KubeObject) -> Iterator[Edge]:
    value = obj.annotations.get(ANNOTATION)
    if not isinstance(value, str):
        return
    for name in (n.strip() for n in value.split(",")):
        if not name:
            continue
        target, _ = resolve_plugin(snapshot, obj.namespace, name)
        yield Edge(obj.key, target, PLUGIN, _POINTER,
                   attrs={"alternative": "KongClusterPlugin" if ":" not in name else ""})


def _extension_ref_edges(snapshot: Snapshot, obj: KubeObject) -> Iterator[Edge]:
    rules = obj.spec.get("rules")
    if not isinstance(rules, list):
        return
    for r, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        yield from _filter_edges(obj, rule.get("filters"), f"/spec/rules/{r}/filters")
        backends = rule.get("backendRefs")
        if isinstance(backends, list):
            for b, backend in enumerate(backends):
                if isinstance(backend, dict):
                    yield from _filter_edges(obj, backend.get("filters"),
                                             f"/spec/rules/{r}/backendRefs/{b}/filters")


def _filter_edges(obj: KubeObject, filters: Any, pointer: str) -> Iterator[Edge]:
    if not isinstance(filters, list):
        return
    for f, item in enumerate(filters):
        if not isinstance(item, dict) or item.get("type") != "ExtensionRef":
            continue
        ref = item.get("extensionRef")
        if not isinstance(ref, dict) or ref.get("group") != GROUP:
            continue
        kind, name = ref.get("kind"), ref.get("name")
        if kind not in ("KongPlugin", "KongClusterPlugin") or not isinstance(name, str):
            continue
        namespace = obj.namespace if kind == "KongPlugin" else ""
        yield Edge(obj.key, ObjectRef(f"{GROUP}/v1", kind, namespace, name), PLUGIN,
                   f"{pointer}/{f}/extensionRef", attrs={"alternative": ""})


EXTRACTOR = Extractor(PLUGIN, plugin_edges, reads=NOTHING)
