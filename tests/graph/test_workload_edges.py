"""Pod -> what it uses, PVC -> PV, APIService -> Service."""

from __future__ import annotations

from kaudit.graph import build_graph
from kaudit.model import ObjectKey
from kaudit.snapshot import KubeObject, Snapshot

POD = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web-1", "namespace": "shop"},
    "spec": {
        "nodeName": "node-a",
        "serviceAccountName": "web",
        "imagePullSecrets": [{"name": "registry"}],
        "containers": [{
            "name": "app",
            "envFrom": [{"configMapRef": {"name": "web-env"}}],
            "env": [{"name": "PW", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}}],
        }],
        "initContainers": [{"name": "init", "envFrom": [{"secretRef": {"name": "init-env"}}]}],
        "volumes": [
            {"name": "conf", "configMap": {"name": "web-conf"}},
            {"name": "tls", "secret": {"secretName": "web-tls"}},
            {"name": "data", "persistentVolumeClaim": {"claimName": "web-data"}},
            {"name": "all", "projected": {"sources": [{"configMap": {"name": "proj-cm"}},
                                                      {"secret": {"name": "proj-secret"}}]}},
        ],
    },
}
PVC = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
       "metadata": {"name": "web-data", "namespace": "shop"}, "spec": {"volumeName": "pv-123"}}
APISERVICE = {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
              "metadata": {"name": "v1beta1.metrics.k8s.io"},
              "spec": {"group": "metrics.k8s.io", "version": "v1beta1",
                       "service": {"name": "metrics-server", "namespace": "kube-system"}}}


def _graph():
    return build_graph(Snapshot.build([KubeObject(POD), KubeObject(PVC), KubeObject(APISERVICE)]))


def test_pod_edges() -> None:
    graph = _graph()
    pod = ObjectKey("", "Pod", "shop", "web-1")
    found = sorted((link.relation, link.key.kind, link.key.namespace, link.key.name, link.pointer)
                   for link in graph.outgoing(pod) if link.relation in ("uses", "runs-on"))
    assert found == [
        ("runs-on", "Node", "", "node-a", "/spec/nodeName"),
        ("uses", "ConfigMap", "shop", "proj-cm", "/spec/volumes/3/projected/sources/0/configMap"),
        ("uses", "ConfigMap", "shop", "web-conf", "/spec/volumes/0/configMap"),
        ("uses", "ConfigMap", "shop", "web-env", "/spec/containers/0/envFrom/0/configMapRef"),
        ("uses", "PersistentVolumeClaim", "shop", "web-data",
         "/spec/volumes/2/persistentVolumeClaim/claimName"),
        ("uses", "Secret", "shop", "db", "/spec/containers/0/env/0/valueFrom/secretKeyRef"),
        ("uses", "Secret", "shop", "init-env", "/spec/initContainers/0/envFrom/0/secretRef"),
        ("uses", "Secret", "shop", "proj-secret", "/spec/volumes/3/projected/sources/1/secret"),
        ("uses", "Secret", "shop", "registry", "/spec/imagePullSecrets/0"),
        ("uses", "Secret", "shop", "web-tls", "/spec/volumes/1/secret/secretName"),
        ("uses", "ServiceAccount", "shop", "web", "/spec/serviceAccountName"),
    ]


def test_pvc_binds_pv_and_apiservice_is_backed_by_service() -> None:
    graph = _graph()
    (pv,) = graph.outgoing(ObjectKey("", "PersistentVolumeClaim", "shop", "web-data"), "binds")
    assert (pv.key, pv.obj) == (ObjectKey("", "PersistentVolume", "", "pv-123"), None)
    (svc,) = graph.outgoing(ObjectKey("apiregistration.k8s.io", "APIService", "",
                                      "v1beta1.metrics.k8s.io"), "backed-by")
    assert svc.key == ObjectKey("", "Service", "kube-system", "metrics-server")
    assert svc.pointer == "/spec/service"
