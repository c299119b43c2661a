"""Who owes a finalizer: the built-in table of well-known finalizers, then the API group that
the finalizer's domain names.

A finalizer is a string; nothing in the API says which controller will remove it. On-call
engineers need that name first ("who do I page?"), so the well-known ones are written down here
with the workloads that usually run their controller and what is left behind when someone
removes the finalizer by hand. Anything else is attributed to the CRD or APIService whose group
is a suffix of the finalizer's domain (``scmprovider.promoter.argoproj.io/finalizer`` ->
``promoter.argoproj.io``), which is how operators conventionally name their finalizers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kaudit.aggregation import group_version, is_aggregated
from kaudit.snapshot import KubeObject, Snapshot

CRD_GROUP = "apiextensions.k8s.io"
APISERVICE_GROUP = "apiregistration.k8s.io"


class OwnerKind(enum.Enum):
    GC = "garbage-collector"
    """``foregroundDeletion``/``orphan``: removed by the garbage collector (FN003/FN005)."""
    CONTROL_PLANE = "control-plane"
    """A controller of kube-controller-manager, cloud-controller-manager or the API server."""
    OPERATOR = "operator"
    """A controller installed into the cluster (an operator, a provider, a Kopf script)."""
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Known:
    """One row of the table: ``name`` is an exact finalizer, ``domain`` a domain suffix."""

    controller: str
    kind: OwnerKind = OwnerKind.OPERATOR
    name: str = ""
    domain: str = ""
    workloads: tuple[str, ...] = ()
    """fnmatch patterns of the Deployment/StatefulSet/DaemonSet names that run it."""
    serves_object_group: bool = False
    """The controller is whichever one serves the object's own API group (Crossplane MRs)."""
    kopf: bool = False
    leaves_behind: str = ""


@dataclass(frozen=True, slots=True)
class Owner:
    """The controller that owes one finalizer of one object, and how kaudit knows."""

    finalizer: str
    controller: str
    kind: OwnerKind
    basis: str
    """``table``, ``crd-group``, ``apiservice-group``, ``object-group`` (the finalizer's domain
    ends in the object's own API group, whose CRD is not in the snapshot) or ``unknown``."""
    groups: tuple[str, ...] = ()
    """API groups this controller serves (their CRDs/APIServices are evidence about it)."""
    workloads: tuple[str, ...] = ()
    kopf: bool = False
    leaves_behind: str = ""

    @property
    def is_gc(self) -> bool:
        return self.kind is OwnerKind.GC


_KCM = "kube-controller-manager"

TABLE: tuple[Known, ...] = (
    Known(f"{_KCM} garbage collector", OwnerKind.GC, name="foregroundDeletion",
          leaves_behind="the dependents are no longer deleted before their owner: the garbage "
                        "collector deletes them in the background afterwards"),
    Known(f"{_KCM} garbage collector", OwnerKind.GC, name="orphan",
          leaves_behind="the dependents are not orphaned: they still name the deleted owner, so "
                        "the garbage collector deletes them instead of keeping them"),
    Known(f"{_KCM} namespace controller", OwnerKind.CONTROL_PLANE, name="kubernetes",
          leaves_behind="objects the namespace controller could not delete stay in etcd, "
                        "invisible, and reappear if a namespace of that name is created again"),
    Known(f"{_KCM} pvc-protection controller", OwnerKind.CONTROL_PLANE,
          name="kubernetes.io/pvc-protection",
          leaves_behind="the claim disappears while a pod may still mount it; depending on the "
                        "reclaim policy its volume and data are released or deleted"),
    Known(f"{_KCM} pv-protection controller", OwnerKind.CONTROL_PLANE,
          name="kubernetes.io/pv-protection",
          leaves_behind="the volume object disappears while it may still be bound; the disk "
                        "behind it may be left in the storage backend"),
    Known("cloud-controller-manager service controller", OwnerKind.CONTROL_PLANE,
          name="service.kubernetes.io/load-balancer-cleanup",
          leaves_behind="the cloud load balancer (and its public address) is not deleted and "
                        "keeps running, and costing, outside the cluster"),
    Known("kube-apiserver (apiextensions CRD finalizer)", OwnerKind.CONTROL_PLANE,
          name="customresourcecleanup.apiextensions.k8s.io",
          leaves_behind="the custom objects of this CRD stay in etcd and come back if the CRD "
                        "is created again"),
    Known(f"{_KCM} job controller", OwnerKind.CONTROL_PLANE,
          name="batch.kubernetes.io/job-tracking",
          leaves_behind="the Job may miscount this pod's success or failure"),
    Known("Kopf operator (kopf.zalando.org)", name="kopf.zalando.org/KopfFinalizerMarker",
          kopf=True,
          leaves_behind="the operator's deletion handlers never run: whatever they clean up "
                        "outside Kubernetes (buckets, exports, accounts) stays"),
    Known("Crossplane provider serving this managed resource",
          name="finalizer.managedresource.crossplane.io", serves_object_group=True,
          workloads=("provider-*",),
          leaves_behind="the external resource is not deleted and stays, unmanaged"),
    Known("Crossplane claim reconciler", name="finalizer.apiextensions.crossplane.io",
          workloads=("crossplane",),
          leaves_behind="the claim disappears while its composite resource and the composed "
                        "resources may still exist"),
    Known("Crossplane composite reconciler", name="composite.apiextensions.crossplane.io",
          workloads=("crossplane",),
          leaves_behind="composed resources are left without their composite"),
    Known("Crossplane XRD controller", name="defined.apiextensions.crossplane.io",
          workloads=("crossplane",),
          leaves_behind="the CRD generated for the composite resource stays"),
    Known("Crossplane XRD controller", name="offered.apiextensions.crossplane.io",
          workloads=("crossplane",),
          leaves_behind="the CRD generated for the claim stays"),
    Known("Crossplane provider (ProviderConfig usage tracking)", name="in-use.crossplane.io",
          workloads=("provider-*",),
          leaves_behind="managed resources still using this ProviderConfig lose their "
                        "credentials"),
    Known("cert-manager controller", domain="cert-manager.io",
          workloads=("cert-manager",),
          leaves_behind="the ACME challenge's DNS or HTTP record is not cleaned up at the "
                        "provider"),
    Known("Argo CD application controller", domain="argocd.argoproj.io",
          workloads=("argocd-application-controller", "*-application-controller"),
          leaves_behind="the application's deployed resources are not deleted (the cascade is "
                        "skipped) and keep running"),
)

_BY_NAME = {k.name: k for k in TABLE if k.name}
_BY_DOMAIN = sorted((k for k in TABLE if k.domain), key=lambda k: -len(k.domain))


def finalizer_domain(finalizer: str) -> str:
    """``example.org/cleanup`` -> ``example.org``; a bare DNS name is its own domain; a bare
    word (``kubernetes``) has none."""
    domain = finalizer.split("/", 1)[0] if "/" in finalizer else finalizer
    return domain.lower() if "." in domain else ""


def _suffix_of(domain: str, group: str) -> bool:
    return bool(group) and (domain == group or domain.endswith("." + group))


def served_groups(snapshot: Snapshot) -> dict[str, str]:
    """API group -> how it is served (``crd`` or ``apiservice``), from the snapshot."""
    groups: dict[str, str] = {}
    for crd in snapshot.of_kind("CustomResourceDefinition", CRD_GROUP):
        group = crd.spec.get("group")
        if isinstance(group, str) and group:
            groups.setdefault(group.lower(), "crd")
    for svc in snapshot.of_kind("APIService", APISERVICE_GROUP):
        group = group_version(svc)[0]
        if group and is_aggregated(svc):
            groups.setdefault(group.lower(), "apiservice")
    return groups


def identify(finalizer: str, obj: KubeObject, snapshot: Snapshot,
             groups: dict[str, str] | None = None) -> Owner:
    """The controller that owes ``finalizer`` on ``obj``."""
    known = _BY_NAME.get(finalizer)
    domain = finalizer_domain(finalizer)
    if known is None and domain:
        known = next((k for k in _BY_DOMAIN if _suffix_of(domain, k.domain)), None)
    if known is not None:
        owned_groups: tuple[str, ...] = ()
        if known.serves_object_group and obj.group:
            owned_groups = (obj.group,)
        elif known.domain:
            owned_groups = (known.domain,)
        controller = known.controller
        if known.serves_object_group and obj.group:
            controller = f"{known.controller} ({obj.group})"
        return Owner(finalizer, controller, known.kind, "table", owned_groups,
                     known.workloads, known.kopf, known.leaves_behind)
    groups = served_groups(snapshot) if groups is None else groups
    if domain:
        matches = sorted((g for g in groups if _suffix_of(domain, g)), key=lambda g: -len(g))
        if matches:
            group = matches[0]
            how = groups[group]
            return Owner(
                finalizer,
                f"the controller of API group {group} (served by "
                f"{'a CRD' if how == 'crd' else 'an aggregated APIService'})",
                OwnerKind.OPERATOR, f"{how}-group", (group,),
                leaves_behind=f"whatever the {group} controller cleans up on deletion (outside "
                              "the cluster, or other objects) is left behind")
    if domain and obj.group and _suffix_of(domain, obj.group.lower()):
        group = obj.group.lower()
        return Owner(
            finalizer, f"the controller of API group {group} (the object's own group)",
            OwnerKind.OPERATOR, "object-group", (group,),
            leaves_behind=f"whatever the {group} controller cleans up on deletion (outside "
                          "the cluster, or other objects) is left behind")
    what = (f"no known controller, CRD or APIService in the snapshot serves {domain}"
            if domain else "the finalizer names no domain")
    return Owner(finalizer, f"an unknown controller ({what})", OwnerKind.UNKNOWN,
                 "unknown", (domain,) if domain else (),
                 leaves_behind="whatever its controller was meant to clean up is left behind")
