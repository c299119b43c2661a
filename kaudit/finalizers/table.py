"""Who owes a finalizer: the catalogue of well-known finalizers, then the API group that the
finalizer's domain names.

A finalizer is a string; nothing in the API says which controller will remove it. On-call
engineers need that name first ("who do I page?"), so the well-known ones are written down in
``catalogue.yaml`` (data a newcomer extends without touching code) with the upstream file that
sets each, the workloads that usually run its controller and what is left behind when someone
removes it by hand. Anything else is attributed to the CRD or APIService whose group is a
suffix of the finalizer's domain (``scmprovider.promoter.argoproj.io/finalizer`` ->
``promoter.argoproj.io``), which is how operators conventionally name their finalizers.
"""

from __future__ import annotations

import enum
import fnmatch
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kaudit import yamldata
from kaudit.aggregation import group_version, is_aggregated
from kaudit.snapshot import KubeObject, Snapshot

CATALOGUE = Path(__file__).with_name("catalogue.yaml")

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
    """One entry of the catalogue: ``name`` is an exact finalizer, ``pattern`` an fnmatch
    pattern, ``domain`` a domain suffix."""

    controller: str
    kind: OwnerKind = OwnerKind.OPERATOR
    name: str = ""
    domain: str = ""
    workloads: tuple[str, ...] = ()
    """Names of the Deployments/StatefulSets/DaemonSets that run it: fnmatch patterns, or
    ``namespace/name`` for a name that only counts in that namespace."""
    serves_object_group: bool = False
    """The controller is whichever one serves the object's own API group (Crossplane MRs)."""
    kopf: bool = False
    leaves_behind: str = ""
    pattern: str = ""
    project: str = ""
    source: str = ""
    """The upstream file that sets the finalizer."""
    found_on: tuple[str, ...] = ()
    namespace: str = ""
    """Where the controller usually runs (documentation: operators are installed anywhere)."""
    labels: tuple[tuple[str, str], ...] = ()
    """Labels of the workload that runs it (all must match)."""

    @property
    def key(self) -> str:
        return self.name or self.pattern or self.domain

    @property
    def match(self) -> str:
        return "exact" if self.name else "pattern" if self.pattern else "domain"

    @classmethod
    def parse(cls, doc: Mapping[str, Any]) -> Known:
        workload = doc.get("workload") or {}
        labels = workload.get("labels") or {}
        owner = doc.get("owner") or OwnerKind.OPERATOR.value
        return cls(
            controller=str(doc["controller"]),
            kind=OwnerKind(owner),
            name=str(doc.get("finalizer") or ""),
            domain=str(doc.get("domain") or "").lower(),
            pattern=str(doc.get("pattern") or ""),
            workloads=tuple(str(n) for n in workload.get("names") or ()),
            serves_object_group=doc.get("servesObjectGroup") is True,
            kopf=doc.get("kopf") is True,
            leaves_behind=" ".join(str(doc.get("leavesBehind") or "").split()),
            project=str(doc.get("project") or ""),
            source=str(doc.get("source") or ""),
            found_on=tuple(str(k) for k in doc.get("foundOn") or ()),
            namespace=str(workload.get("namespace") or ""),
            labels=tuple(sorted((str(k), str(v)) for k, v in labels.items())),
        )


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
    workload_labels: tuple[tuple[str, str], ...] = ()
    source: str = ""
    """The upstream file that sets the finalizer, when it is in the catalogue."""

    @property
    def is_gc(self) -> bool:
        return self.kind is OwnerKind.GC


def load_catalogue(path: Path = CATALOGUE) -> tuple[Known, ...]:
    """The catalogue, in file order."""
    return tuple(Known.parse(doc) for doc in yamldata.load(path.read_text()) or ())


TABLE: tuple[Known, ...] = load_catalogue()

_BY_NAME = {k.name: k for k in TABLE if k.name}
# A longer literal part is the more specific pattern (``group.ingress.k8s.aws/*`` before a
# hypothetical ``*.k8s.aws/*``), and a longer domain the more specific owner.
_BY_PATTERN = sorted((k for k in TABLE if k.pattern),
                     key=lambda k: (-len(k.pattern.replace("*", "")), k.pattern))
_BY_DOMAIN = sorted((k for k in TABLE if k.domain), key=lambda k: -len(k.domain))


@functools.lru_cache(maxsize=4096)
def lookup(finalizer: str) -> tuple[Known, str] | None:
    """The catalogue entry for ``finalizer`` and the part a pattern's ``*`` matched.

    Cached: the catalogue is fixed, and thousands of objects carry the same few finalizers
    (each uncached call tries every pattern with fnmatch)."""
    known = _BY_NAME.get(finalizer)
    if known is not None:
        return known, ""
    for k in _BY_PATTERN:
        if fnmatch.fnmatchcase(finalizer, k.pattern):
            prefix = k.pattern.split("*", 1)[0]
            return k, finalizer[len(prefix):] if finalizer.startswith(prefix) else ""
    domain = finalizer_domain(finalizer)
    if domain:
        k2 = next((k for k in _BY_DOMAIN if _suffix_of(domain, k.domain)), None)
        if k2 is not None:
            return k2, ""
    return None


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


def _groups_of(domain: str, obj: KubeObject, snapshot: Snapshot,
               groups: dict[str, str] | None) -> tuple[str, ...]:
    """The API groups an operator's exact or pattern finalizer points at, so that its CRD
    being deleted or its group going unserved still count as evidence: a served group the
    finalizer's domain ends in (``finalizer.keda.sh`` -> ``keda.sh``), else the object's own
    group when one names the other (``strimzi.io/...`` on a ``kafka.strimzi.io`` KafkaTopic)."""
    if not domain:
        return ()
    served = served_groups(snapshot) if groups is None else groups
    matches = sorted((g for g in served if _suffix_of(domain, g)), key=lambda g: -len(g))
    if matches:
        return (matches[0],)
    own = obj.group.lower()
    if own and (_suffix_of(domain, own) or _suffix_of(own, domain)):
        return (own,)
    return ()


def identify(finalizer: str, obj: KubeObject, snapshot: Snapshot,
             groups: dict[str, str] | None = None) -> Owner:
    """The controller that owes ``finalizer`` on ``obj``."""
    found = lookup(finalizer)
    domain = finalizer_domain(finalizer)
    if found is not None:
        known, suffix = found
        owned_groups: tuple[str, ...] = ()
        if known.serves_object_group and obj.group:
            owned_groups = (obj.group,)
        elif known.domain:
            owned_groups = (known.domain,)
        elif known.kind is OwnerKind.OPERATOR:
            owned_groups = _groups_of(domain, obj, snapshot, groups)
        controller = known.controller.replace("{suffix}", suffix or "?")
        if known.serves_object_group and obj.group:
            controller = f"{controller} ({obj.group})"
        return Owner(finalizer, controller, known.kind, "table", owned_groups,
                     known.workloads, known.kopf, known.leaves_behind, known.labels,
                     known.source)
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
