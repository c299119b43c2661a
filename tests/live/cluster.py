"""The small cluster the live tests read: core, grouped and CRD types, an aggregated API, and
two real problems the rules must find through the live path (a Widget stuck deleting behind a
finalizer, a ReplicaSet owned by a Deployment that is gone)."""

from __future__ import annotations

from typing import Any

from tests.live.apiserver import Cluster, Resource

PLAIN_SECRET_VALUE = "aHVudGVyMg=="  # "hunter2": must never leave the server in any form
CREDENTIAL_VALUE = "c3VwZXJzZWNyZXQta2V5"  # "supersecret-key"


def meta(name: str, namespace: str | None = None, uid: str | None = None,
         **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "uid": uid or f"uid-{namespace or ''}-{name}",
                           "resourceVersion": "1", "creationTimestamp": "2024-01-01T00:00:00Z",
                           "managedFields": [{"manager": "kubectl", "operation": "Apply"}]}
    if namespace:
        out["namespace"] = namespace
    out.update(extra)
    return out


def obj(api_version: str, kind: str, name: str, namespace: str | None = None,
        **fields: Any) -> dict[str, Any]:
    metadata = fields.pop("metadata", {})
    return {"apiVersion": api_version, "kind": kind, "metadata": meta(name, namespace, **metadata),
            **fields}


def widget_crd() -> dict[str, Any]:
    return obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.org",
               spec={"group": "example.org", "scope": "Namespaced",
                     "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
                               "listKind": "WidgetList"},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": {"type": "object"}}}]},
               status={"storedVersions": ["v1"], "acceptedNames": {"kind": "Widget",
                                                                   "plural": "widgets"}})


def build_cluster(pods: int = 5) -> Cluster:
    deploy_uid = "uid-deploy-web"
    rs_uid = "uid-rs-web"
    owner_rs = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": rs_uid,
                 "controller": True, "blockOwnerDeletion": True}]
    return Cluster(
        resources=[
            Resource("", "v1", "namespaces", "Namespace", False, [
                obj("v1", "Namespace", "default"), obj("v1", "Namespace", "shop"),
                obj("v1", "Namespace", "other")]),
            Resource("", "v1", "pods", "Pod", True, [
                obj("v1", "Pod", f"web-1-{i}", "shop", metadata={"ownerReferences": owner_rs},
                    spec={"containers": [{"name": "web", "image": "nginx:1.27"}]},
                    status={"phase": "Running"})
                for i in range(pods)] + [
                obj("v1", "Pod", "batch-0", "other",
                    spec={"containers": [{"name": "job", "image": "busybox"}]})],
                subresources=("status", "log", "exec")),
            Resource("", "v1", "configmaps", "ConfigMap", True, [
                obj("v1", "ConfigMap", "settings", "shop", data={"mode": "fast"}),
                obj("v1", "ConfigMap", "kube-root-ca.crt", "default", data={"ca.crt": "x"})]),
            Resource("", "v1", "secrets", "Secret", True, [
                obj("v1", "Secret", "db-password", "shop", type="Opaque",
                    data={"password": PLAIN_SECRET_VALUE}),
                obj("v1", "Secret", "alice-key", "shop", type="Opaque",
                    metadata={"labels": {"konghq.com/credential": "key-auth"}},
                    data={"key": CREDENTIAL_VALUE})]),
            Resource("", "v1", "bindings", "Binding", True, [], verbs=("create",),
                     subresources=()),
            Resource("apps", "v1", "deployments", "Deployment", True, [
                obj("apps/v1", "Deployment", "web", "shop", metadata={"uid": deploy_uid},
                    spec={"replicas": pods})], subresources=("status", "scale")),
            Resource("apps", "v1", "replicasets", "ReplicaSet", True, [
                obj("apps/v1", "ReplicaSet", "web-1", "shop", metadata={
                    "uid": rs_uid, "ownerReferences": [
                        {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                         "uid": deploy_uid, "controller": True}]}),
                obj("apps/v1", "ReplicaSet", "api-7", "shop", metadata={
                    "ownerReferences": [
                        {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api",
                         "uid": "uid-deploy-api-gone", "controller": True}]})]),
            Resource("apiextensions.k8s.io", "v1", "customresourcedefinitions",
                     "CustomResourceDefinition", False, [widget_crd()]),
            Resource("example.org", "v1", "widgets", "Widget", True, [
                obj("example.org/v1", "Widget", "ok", "shop", spec={"size": 1}),
                obj("example.org/v1", "Widget", "stuck", "shop", metadata={
                    "deletionTimestamp": "2024-03-01T00:00:00Z",
                    "finalizers": ["example.org/cleanup"]}, spec={"size": 2})]),
        ],
        aggregated=[("metrics.k8s.io", "v1beta1")],
    )
