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


OPERATOR_RELEASE = {"meta.helm.sh/release-name": "widget-operator",
                    "meta.helm.sh/release-namespace": "widget-system"}


def build_stuck_chain_cluster() -> Cluster:
    """``build_cluster`` plus a deletion stuck down an owner chain, for ``explain``/``graph``.

    Widget ``shop/shelf`` is deleted in the foreground, held by its dependent
    ``shop/shelf-part``, whose ``example.org/cleanup`` finalizer is owed by the widget operator.
    That operator runs in another namespace (``widget-system``, installed by the same Helm
    release as the Widget CRD) and is scaled to zero: the evidence a triage needs lives outside
    the object's namespace. Kept apart from ``build_cluster`` so that the scan tests and the
    recorded cassette see the cluster they always saw.
    """
    cluster = build_cluster()
    by_kind = {res.kind: res for res in cluster.resources}
    by_kind["Namespace"].objects.append(obj("v1", "Namespace", "widget-system"))
    crd = by_kind["CustomResourceDefinition"].objects[0]
    crd["metadata"]["annotations"] = dict(OPERATOR_RELEASE)
    by_kind["Deployment"].objects.append(obj(
        "apps/v1", "Deployment", "widget-operator", "widget-system",
        metadata={"annotations": dict(OPERATOR_RELEASE)},
        spec={"replicas": 0}, status={"observedGeneration": 3}))
    shelf_uid = "uid-shop-shelf"
    by_kind["Widget"].objects.extend([
        obj("example.org/v1", "Widget", "shelf", "shop", metadata={
            "uid": shelf_uid, "deletionTimestamp": "2024-03-01T00:00:00Z",
            "finalizers": ["foregroundDeletion"]}, spec={"size": 3}),
        obj("example.org/v1", "Widget", "shelf-part", "shop", metadata={
            "deletionTimestamp": "2024-03-01T00:00:00Z",
            "finalizers": ["example.org/cleanup"],
            "ownerReferences": [{"apiVersion": "example.org/v1", "kind": "Widget",
                                 "name": "shelf", "uid": shelf_uid, "controller": True,
                                 "blockOwnerDeletion": True}]},
            spec={"size": 1},
            status={"conditions": [{"type": "Ready", "status": "False",
                                    "reason": "CleanupFailed",
                                    "message": "cannot delete bucket shelf-part: "
                                               "access denied"}]}),
    ])
    return cluster
