"""Which kinds are cluster-scoped, and what built-in kinds are called.

A snapshot of manifests rarely carries discovery data, so scope comes from this table of the
built-in API plus the CRDs found in the snapshot (see ``Snapshot.is_namespaced``).
"""

from __future__ import annotations

# (group, kind) of every cluster-scoped built-in kind of a current kube-apiserver, plus the
# aggregated and well-known ones that ship with almost every cluster.
BUILTIN_CLUSTER_SCOPED: frozenset[tuple[str, str]] = frozenset(
    {
        ("", "Namespace"),
        ("", "Node"),
        ("", "PersistentVolume"),
        ("", "ComponentStatus"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("apiregistration.k8s.io", "APIService"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
        ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "CSIDriver"),
        ("storage.k8s.io", "CSINode"),
        ("storage.k8s.io", "VolumeAttachment"),
        ("storage.k8s.io", "VolumeAttributesClass"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("networking.k8s.io", "IngressClass"),
        ("networking.k8s.io", "IPAddress"),
        ("networking.k8s.io", "ServiceCIDR"),
        ("node.k8s.io", "RuntimeClass"),
        ("policy", "PodSecurityPolicy"),
        ("extensions", "PodSecurityPolicy"),
        ("certificates.k8s.io", "CertificateSigningRequest"),
        ("certificates.k8s.io", "ClusterTrustBundle"),
        ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
        ("authentication.k8s.io", "TokenReview"),
        ("authentication.k8s.io", "SelfSubjectReview"),
        ("authorization.k8s.io", "SubjectAccessReview"),
        ("authorization.k8s.io", "SelfSubjectAccessReview"),
        ("authorization.k8s.io", "SelfSubjectRulesReview"),
        ("internal.apiserver.k8s.io", "StorageVersion"),
        ("resource.k8s.io", "DeviceClass"),
        ("resource.k8s.io", "ResourceSlice"),
        ("metrics.k8s.io", "NodeMetrics"),
        ("gateway.networking.k8s.io", "GatewayClass"),
        ("config.openshift.io", "ClusterOperator"),
        ("config.openshift.io", "ClusterVersion"),
    }
)

# (group, kind) of namespaced built-ins, so a manifest folder without CRDs still knows them.
BUILTIN_NAMESPACED: frozenset[tuple[str, str]] = frozenset(
    {
        ("", k)
        for k in (
            "Pod", "Service", "ConfigMap", "Secret", "ServiceAccount", "Endpoints", "Event",
            "PersistentVolumeClaim", "ReplicationController", "LimitRange", "ResourceQuota",
            "PodTemplate", "Binding",
        )
    }
    | {("apps", k) for k in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet",
                             "ControllerRevision")}
    | {("batch", k) for k in ("Job", "CronJob")}
    | {("autoscaling", "HorizontalPodAutoscaler"), ("policy", "PodDisruptionBudget")}
    | {("networking.k8s.io", k) for k in ("Ingress", "NetworkPolicy")}
    | {("rbac.authorization.k8s.io", k) for k in ("Role", "RoleBinding")}
    | {("coordination.k8s.io", "Lease"), ("events.k8s.io", "Event")}
    | {("discovery.k8s.io", "EndpointSlice")}
    | {("extensions", k) for k in ("Deployment", "ReplicaSet", "DaemonSet", "Ingress",
                                  "NetworkPolicy")}
)
