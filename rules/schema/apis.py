"""What the schema rules need to know about CRDs, APIServices, kcp and the built-in API."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kaudit.aggregation import group_version
from kaudit.rules import KubeObject, RuleContext

CRD_GROUP = "apiextensions.k8s.io"
APISERVICE_GROUP = "apiregistration.k8s.io"
KCP_APIS = "apis.kcp.io"
KCP_CLUSTER = "kcp.io/cluster"
KCP_SUFFIX = ".kcp.io"
__all__ = ["group_version"]  # re-exported for the schema rules


def crds(ctx: RuleContext) -> tuple[KubeObject, ...]:
    return tuple(ctx.objects("CustomResourceDefinition", CRD_GROUP))


def apiservices(ctx: RuleContext) -> tuple[KubeObject, ...]:
    return tuple(ctx.objects("APIService", APISERVICE_GROUP))


def logical_cluster(obj: KubeObject) -> str:
    """The kcp logical cluster (workspace) an object lives in; ``""`` outside kcp."""
    return str(obj.annotations.get(KCP_CLUSTER) or "")


def is_kcp(ctx: RuleContext) -> bool:
    """Whether the inputs are (part of) a kcp installation.

    kcp is recognised by what only it has: objects in its ``*.kcp.io`` groups, CRDs defining
    them or annotated by kcp, or the ``kcp.io/cluster`` annotation kcp adds to every object it
    serves.
    """
    for group, _ in ctx.snapshot.kinds():
        if group.endswith(KCP_SUFFIX):
            return True
    return any(str(crd.spec.get("group") or "").endswith(KCP_SUFFIX) or is_kcp_object(crd)
               for crd in crds(ctx))


def is_kcp_object(obj: KubeObject) -> bool:
    """kcp's own manifests carry ``*.kcp.io/`` annotations (``internal.kcp.io/…``) or approve
    built-in groups with a link to kcp's Kubernetes fork."""
    if logical_cluster(obj):
        return True
    for key, value in obj.annotations.items():
        if ".kcp.io/" in key or key.startswith("kcp.io/") or "kcp-dev/" in str(value):
            return True
    return False


@dataclass(frozen=True)
class Names:
    """The names one resource answers to (``kubectl get <any of them>``)."""

    group: str
    kind: str
    plural: str
    singular: str
    short: tuple[str, ...]

    @classmethod
    def of_crd(cls, crd: KubeObject) -> Names | None:
        names = crd.spec.get("names")
        group = crd.spec.get("group")
        if not isinstance(names, Mapping) or not isinstance(group, str):
            return None
        kind = str(names.get("kind") or "")
        plural = str(names.get("plural") or "")
        if not kind or not plural:
            return None
        short = names.get("shortNames") or []
        return cls(group, kind, plural, str(names.get("singular") or kind.lower()),
                   tuple(str(s) for s in short if isinstance(s, str)))

    def all(self) -> Iterator[tuple[str, str]]:
        """(what, lower-case name) pairs, each name once."""
        seen: set[str] = set()
        for what, name in (("kind", self.kind), ("plural", self.plural),
                           ("singular", self.singular),
                           *(("short name", s) for s in self.short)):
            low = name.lower()
            if low and low not in seen:
                seen.add(low)
                yield what, low


def served_versions(crd: KubeObject) -> list[str]:
    return [str(v.get("name")) for v in _versions(crd) if v.get("served") is True]


def spec_versions(crd: KubeObject) -> list[str]:
    return [str(v.get("name")) for v in _versions(crd)]


def _versions(crd: KubeObject) -> list[Mapping[str, Any]]:
    versions = crd.spec.get("versions")
    if isinstance(versions, list):
        return [v for v in versions if isinstance(v, dict) and v.get("name")]
    version = crd.spec.get("version")  # apiextensions.k8s.io/v1beta1
    return [{"name": version, "served": True, "storage": True}] if version else []


# Resources of a current kube-apiserver (plus metrics.k8s.io), as kubectl resolves them:
# group -> {kind: (plural, short names)}.
BUILTIN_RESOURCES: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "": {
        "Pod": ("pods", ("po",)), "Service": ("services", ("svc",)),
        "ConfigMap": ("configmaps", ("cm",)), "Secret": ("secrets", ()),
        "Namespace": ("namespaces", ("ns",)), "Node": ("nodes", ("no",)),
        "PersistentVolume": ("persistentvolumes", ("pv",)),
        "PersistentVolumeClaim": ("persistentvolumeclaims", ("pvc",)),
        "ServiceAccount": ("serviceaccounts", ("sa",)), "Endpoints": ("endpoints", ("ep",)),
        "Event": ("events", ("ev",)), "LimitRange": ("limitranges", ("limits",)),
        "ResourceQuota": ("resourcequotas", ("quota",)),
        "ReplicationController": ("replicationcontrollers", ("rc",)),
        "PodTemplate": ("podtemplates", ()), "ComponentStatus": ("componentstatuses", ("cs",)),
    },
    "apps": {
        "Deployment": ("deployments", ("deploy",)), "ReplicaSet": ("replicasets", ("rs",)),
        "StatefulSet": ("statefulsets", ("sts",)), "DaemonSet": ("daemonsets", ("ds",)),
        "ControllerRevision": ("controllerrevisions", ()),
    },
    "batch": {"Job": ("jobs", ()), "CronJob": ("cronjobs", ("cj",))},
    "autoscaling": {"HorizontalPodAutoscaler": ("horizontalpodautoscalers", ("hpa",))},
    "policy": {"PodDisruptionBudget": ("poddisruptionbudgets", ("pdb",))},
    "networking.k8s.io": {
        "Ingress": ("ingresses", ("ing",)), "IngressClass": ("ingressclasses", ()),
        "NetworkPolicy": ("networkpolicies", ("netpol",)),
    },
    "rbac.authorization.k8s.io": {
        "Role": ("roles", ()), "RoleBinding": ("rolebindings", ()),
        "ClusterRole": ("clusterroles", ()), "ClusterRoleBinding": ("clusterrolebindings", ()),
    },
    "storage.k8s.io": {
        "StorageClass": ("storageclasses", ("sc",)), "CSIDriver": ("csidrivers", ()),
        "CSINode": ("csinodes", ()), "VolumeAttachment": ("volumeattachments", ()),
    },
    "admissionregistration.k8s.io": {
        "MutatingWebhookConfiguration": ("mutatingwebhookconfigurations", ()),
        "ValidatingWebhookConfiguration": ("validatingwebhookconfigurations", ()),
        "ValidatingAdmissionPolicy": ("validatingadmissionpolicies", ()),
        "ValidatingAdmissionPolicyBinding": ("validatingadmissionpolicybindings", ()),
        "MutatingAdmissionPolicy": ("mutatingadmissionpolicies", ()),
        "MutatingAdmissionPolicyBinding": ("mutatingadmissionpolicybindings", ()),
    },
    "apiextensions.k8s.io": {
        "CustomResourceDefinition": ("customresourcedefinitions", ("crd", "crds")),
    },
    "apiregistration.k8s.io": {"APIService": ("apiservices", ())},
    "scheduling.k8s.io": {"PriorityClass": ("priorityclasses", ("pc",))},
    "coordination.k8s.io": {"Lease": ("leases", ())},
    "discovery.k8s.io": {"EndpointSlice": ("endpointslices", ())},
    "node.k8s.io": {"RuntimeClass": ("runtimeclasses", ())},
    "certificates.k8s.io": {
        "CertificateSigningRequest": ("certificatesigningrequests", ("csr",)),
    },
    "events.k8s.io": {"Event": ("events", ("ev",))},
    "flowcontrol.apiserver.k8s.io": {
        "FlowSchema": ("flowschemas", ()),
        "PriorityLevelConfiguration": ("prioritylevelconfigurations", ()),
    },
}


def builtin_names() -> Iterator[Names]:
    for group, kinds in sorted(BUILTIN_RESOURCES.items()):
        for kind, (plural, short) in sorted(kinds.items()):
            yield Names(group, kind, plural, kind.lower(), short)


def is_builtin(group: str, kind: str) -> bool:
    return kind in BUILTIN_RESOURCES.get(group, {})
