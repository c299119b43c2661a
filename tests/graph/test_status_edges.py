"""The Kong plugin and networking edges the status rules follow."""

from __future__ import annotations

from typing import Any

from kaudit.graph import build_graph
from kaudit.model import ObjectKey
from kaudit.snapshot import KubeObject, Snapshot

KONG = "configuration.konghq.com"


def graph(*objects: dict[str, Any]):
    return build_graph(Snapshot.build([KubeObject(o) for o in objects]))


def obj(api_version: str, kind: str, name: str, namespace: str = "shop",
        **body: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta.update(body.pop("metadata", {}))
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, **body}


def test_plugins_annotation_prefers_the_namespace_plugin_then_the_cluster_plugin() -> None:
    g = graph(
        obj("networking.k8s.io/v1", "Ingress", "web",
            metadata={"annotations": {"konghq.com/plugins": "auth, cors ,other:limit"}}),
        obj(f"{KONG}/v1", "KongPlugin", "auth"),
        obj(f"{KONG}/v1", "KongClusterPlugin", "cors", namespace=""),
        obj(f"{KONG}/v1", "KongClusterPlugin", "auth", namespace=""),
    )
    targets = sorted((link.ref.kind, link.ref.namespace, link.ref.name)
                     for link in g.outgoing(ObjectKey("networking.k8s.io", "Ingress", "shop",
                                                      "web"), "plugin"))
    assert targets == [("KongClusterPlugin", "", "cors"), ("KongPlugin", "other", "limit"),
                       ("KongPlugin", "shop", "auth")]


def test_httproute_extension_ref_filters_name_plugins() -> None:
    route = obj("gateway.networking.k8s.io/v1", "HTTPRoute", "r", spec={"rules": [{
        "filters": [{"type": "RequestHeaderModifier"},
                    {"type": "ExtensionRef",
                     "extensionRef": {"group": KONG, "kind": "KongPlugin", "name": "p"}}],
        "backendRefs": [{"name": "svc", "filters": [{
            "type": "ExtensionRef",
            "extensionRef": {"group": KONG, "kind": "KongClusterPlugin", "name": "c"}}]}],
    }]})
    links = graph(route).outgoing(ObjectKey("gateway.networking.k8s.io", "HTTPRoute", "shop",
                                            "r"), "plugin")
    assert sorted((link.pointer, link.ref.short) for link in links) == [
        ("/spec/rules/0/backendRefs/0/filters/0/extensionRef", "KongClusterPlugin c"),
        ("/spec/rules/0/filters/1/extensionRef", "KongPlugin shop/p")]


def test_ingress_and_certificate_references() -> None:
    g = graph(
        obj("networking.k8s.io/v1", "Ingress", "web", spec={
            "ingressClassName": "nginx",
            "tls": [{"secretName": "web-tls"}],
            "rules": [{"http": {"paths": [{"backend": {"service": {"name": "api"}}}]}}]}),
        obj("cert-manager.io/v1", "Certificate", "web", spec={
            "secretName": "web-tls", "issuerRef": {"name": "le", "kind": "ClusterIssuer"}}),
    )
    ingress = ObjectKey("networking.k8s.io", "Ingress", "shop", "web")
    cert = ObjectKey("cert-manager.io", "Certificate", "shop", "web")
    assert sorted((link.relation, link.ref.short) for link in g.outgoing(ingress)) == [
        ("backend", "Service shop/api"), ("ingress-class", "IngressClass nginx"),
        ("tls-secret", "Secret shop/web-tls")]
    assert sorted((link.relation, link.ref.short) for link in g.outgoing(cert)) == [
        ("issuer", "ClusterIssuer le"), ("writes-secret", "Secret shop/web-tls")]
