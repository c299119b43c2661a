"""Does the controller that owes a finalizer look alive? Evidence, never guesses.

Only positive evidence makes a controller "gone": its API group is no longer served (the
CRD or APIService absent, or its CRD being deleted), its aggregated APIService is unavailable,
its workload is scaled to zero or has no available replica, or every Kopf peering entry that
covers the object is stale (``lastseen`` older than ``lifetime``). How long a finalizer has
been there proves nothing on its own: a live controller may be retrying a failing cleanup.
Absence only counts when that kind was read (``Snapshot.was_read``); what could not be read is
recorded as ``unreadable`` so callers downgrade instead of guessing.
"""

from __future__ import annotations

import enum
import fnmatch
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kaudit.aggregation import group_version, is_aggregated
from kaudit.apiversions import groups_of
from kaudit.finalizers.table import APISERVICE_GROUP, CRD_GROUP, Owner, OwnerKind
from kaudit.finalizers.workloads import (
    WORKLOAD_KINDS,
    WorkloadIndex,
    helm_release,
    workload_index,
)
from kaudit.model import ObjectRef
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.snapshot.reads import Reads
from kaudit.timeutil import format_duration, maybe_time

_EVENT_FIELDS = ("source", "reportingController", "reportingComponent", "lastTimestamp",
                 "eventTime", "series", "reason")
_RUNS = ("spec.template.spec.containers.*.command", "spec.template.spec.containers.*.args",
         "spec.replicas")
READS = Reads({"Event": _EVENT_FIELDS, "events.k8s.io/Event": _EVENT_FIELDS,
               **{f"{group}/{kind}": _RUNS for group, kind in WORKLOAD_KINDS}})
"""The body fields liveness evidence reads (``kaudit.snapshot.reads``): who reported the
Events about an object and when, and how a workload runs (replicas, a ``kopf`` command).
Every rule that asks for liveness declares these."""
KOPF_PEERINGS = (("kopf.dev", "ClusterKopfPeering"), ("kopf.dev", "KopfPeering"),
                 ("zalando.org", "ClusterKopfPeering"), ("zalando.org", "KopfPeering"))
_GAP_WORDS = {
    "workloads": ("deployments", "statefulsets", "daemonsets"),
    "crds": ("customresourcedefinitions",),
    "apiservices": ("apiservices",),
    "kopf": ("kopfpeerings", "clusterkopfpeerings"),
}


class State(enum.Enum):
    ALIVE = "alive"
    GONE = "gone"
    UNKNOWN = "unknown"
    CONTROL_PLANE = "control-plane"
    GC = "garbage-collector"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One observation: what it says (``alive``/``gone``), in words, and about which object."""

    says: State
    text: str
    ref: ObjectRef | None = None


@dataclass(frozen=True, slots=True)
class Liveness:
    state: State
    evidence: tuple[Evidence, ...] = ()
    unreadable: tuple[str, ...] = ()
    """Evidence kaudit could not read (coverage gaps, kinds absent from the inputs)."""

    @property
    def summary(self) -> str:
        if self.state is State.CONTROL_PLANE:
            head = "part of the control plane"
        elif self.state is State.GC:
            head = "removes it once the dependents allow"
        elif self.state is State.UNKNOWN:
            unread = f"; not read: {', '.join(self.unreadable)}" if self.unreadable else ""
            return f"liveness unknown (nothing in the snapshot tells{unread})"
        else:
            head = "looks alive" if self.state is State.ALIVE else "looks gone"
        shown = [e.text for e in self.evidence if e.says is self.state]
        if shown:
            head += ": " + "; ".join(shown)
        if self.unreadable and self.state is State.GONE:
            head += " (not read: " + ", ".join(self.unreadable) + ")"
        return head

    def to_json(self) -> dict[str, object]:
        return {
            "state": self.state.value,
            "evidence": [{"says": e.says.value, "text": e.text,
                          **({"object": e.ref.to_json()} if e.ref else {})}
                         for e in self.evidence],
            "unreadable": list(self.unreadable),
        }


def _gapped(snapshot: Snapshot, what: str) -> bool:
    words = _GAP_WORDS[what]
    return any(gap.resource.lower().split(" ", 1)[0].split(".", 1)[0] in words
               for gap in snapshot.gaps)


def assess(owner: Owner, obj: KubeObject, snapshot: Snapshot, now: datetime,
           events: Sequence[KubeObject] = ()) -> Liveness:
    """Weigh the evidence about ``owner``'s controller. Any sign of life wins over signs of
    death: a false "gone" sends on-call engineers to strip finalizers from a working system.
    ``events`` are the Events about ``obj`` (the graph's ``about`` edges), if known."""
    if owner.kind is OwnerKind.GC:
        return Liveness(State.GC)
    if owner.kind is OwnerKind.CONTROL_PLANE:
        return Liveness(State.CONTROL_PLANE)
    evidence: list[Evidence] = list(_recent_events(owner, events, now))
    unreadable: list[str] = []
    for group in owner.groups:
        evidence.extend(_api_group(group, obj, snapshot, unreadable))
    evidence.extend(_workloads(owner, obj, snapshot, unreadable))
    if owner.kopf:
        evidence.extend(_kopf_peering(obj, snapshot, now, unreadable))
    if any(e.says is State.ALIVE for e in evidence):
        state = State.ALIVE
    elif any(e.says is State.GONE for e in evidence):
        state = State.GONE
    else:
        state = State.UNKNOWN
    return Liveness(state, tuple(evidence), tuple(dict.fromkeys(unreadable)))


# ---- the controller's own recent reports -------------------------------------------------
RECENT = timedelta(minutes=10)


def _recent_events(owner: Owner, events: Sequence[KubeObject],
                   now: datetime) -> Iterator[Evidence]:
    """An Event about the object, emitted by a component named after the controller's API
    group within the last ``RECENT`` minutes: the controller is running and still trying."""
    if not owner.groups:
        return
    best: tuple[datetime, KubeObject] | None = None
    for event in events:
        component = " ".join(str(x) for x in (
            event.get("source", "component"), event.raw.get("reportingController"),
            event.raw.get("reportingComponent")) if x)
        if not any(g in component for g in owner.groups):
            continue
        when = maybe_time(event.raw.get("lastTimestamp")) or \
            maybe_time(event.raw.get("eventTime")) or \
            maybe_time(event.get("series", "lastObservedTime"))
        if when is None or not timedelta(0) <= now - when <= RECENT:
            continue
        if best is None or when > best[0]:
            best = (when, event)
    if best is not None:
        when, event = best
        yield Evidence(State.ALIVE, f"it reported {event.raw.get('reason') or 'an event'} "
                                    f"about this object {format_duration(now - when)} ago",
                       event.ref)


# ---- the API group ----------------------------------------------------------------------
# Which CRDs and aggregated APIServices serve a group depends on the snapshot only, and every
# finalized object of an operator asks for its group: found once per (snapshot, group).
def _serving_table(_: Snapshot) -> dict[str, tuple[list[KubeObject], list[KubeObject]]]:
    return {}


def _serving(group: str, snapshot: Snapshot) -> tuple[list[KubeObject], list[KubeObject]]:
    """The CRDs and the aggregated APIServices of ``group`` (lower case)."""
    per_snapshot = snapshot.derived(_serving_table)
    found = per_snapshot.get(group)
    if found is None:
        crds = [c for c in snapshot.of_kind("CustomResourceDefinition", CRD_GROUP)
                if str(c.spec.get("group") or "").lower() == group]
        services = [s for s in snapshot.of_kind("APIService", APISERVICE_GROUP)
                    if group_version(s)[0].lower() == group and is_aggregated(s)]
        found = per_snapshot[group] = (crds, services)
    return found


def _api_group(group: str, obj: KubeObject, snapshot: Snapshot,
               unreadable: list[str]) -> Iterator[Evidence]:
    crds, services = _serving(group, snapshot)
    for svc in services:
        cond = svc.condition("Available")
        if cond is not None and str(cond.get("status")) == "False":
            detail = str(cond.get("message") or cond.get("reason") or "")
            yield Evidence(State.GONE, f"APIService {svc.name} is unavailable ({detail})",
                           svc.ref)
    if crds and all(c.deletion_timestamp is not None for c in crds):
        names = ", ".join(c.name for c in crds)
        yield Evidence(State.GONE, f"its CRD {names} is being deleted (the operator is being "
                                   "uninstalled)", crds[0].ref)
    if crds or services:
        return
    crd_read = snapshot.was_read(CRD_GROUP, "CustomResourceDefinition") and \
        not _gapped(snapshot, "crds")
    api_read = snapshot.was_read(APISERVICE_GROUP, "APIService") and \
        not _gapped(snapshot, "apiservices")
    # A finalizer's API group being unserved only means something when the object itself is
    # of that group (its API is gone) and both ways of serving a group were read. A folder of
    # manifests often ships custom objects without their CRD (installed separately), so for
    # file inputs only an object that exists in a cluster (it is being deleted) counts.
    if obj.group != group or not (snapshot.is_live or obj.deletion_timestamp is not None):
        return
    if crd_read and api_read:
        yield Evidence(State.GONE, f"API group {group} is no longer served: no CRD or "
                                   "APIService for it")
    else:
        unreadable.append("CustomResourceDefinitions" if not crd_read else "APIServices")


# ---- the workloads that run it ----------------------------------------------------------
# Candidates depend on the owner and the snapshot only, and thousands of objects share one
# owner (every Pod with one operator's finalizer): computed once per (snapshot, owner), so
# the cost is O(owners x matching workloads), not O(finalized objects x workloads) (the
# snapshot's ``WorkloadIndex`` answers each way of naming a workload but patterns).
def _candidates_table(_: Snapshot) -> dict[Owner, list[KubeObject]]:
    return {}


def _workload_candidates(owner: Owner, snapshot: Snapshot) -> list[KubeObject]:
    per_snapshot = snapshot.derived(_candidates_table)
    found = per_snapshot.get(owner)
    if found is None:
        found = per_snapshot[owner] = _find_workload_candidates(owner, snapshot)
    return found


def _find_workload_candidates(owner: Owner, snapshot: Snapshot) -> list[KubeObject]:
    """The workloads that run ``owner``'s controller, sorted by identity. Each way of naming
    them but an fnmatch pattern is a lookup in the snapshot's ``WorkloadIndex``; only
    patterns walk every workload."""
    index = workload_index(snapshot)
    found: dict[tuple[str, str, str, str], KubeObject] = {}

    def keep(w: KubeObject) -> None:
        found[(w.group, w.kind, w.namespace, w.name)] = w

    exact = [p for p in owner.workloads if not any(ch in p for ch in "*?[")]
    wildcard = [p for p in owner.workloads if p not in exact]
    labels = owner.workload_labels
    for pattern in exact:
        for w in index.named(pattern):
            keep(w)
    if labels:
        first_key, first_value = labels[0]
        for w in index.labelled(first_key, first_value):
            if all(w.labels.get(k) == v for k, v in labels):
                keep(w)
    if wildcard:
        for w in index.workloads:
            if any(fnmatch.fnmatchcase(w.name, p) for p in wildcard) and \
                    _tied_to_group(owner, w, snapshot):
                keep(w)
    for w in _workloads_by_crd(owner, snapshot, index):
        keep(w)
    if owner.kopf:
        for w in index.running_kopf():
            keep(w)
    return [found[k] for k in sorted(found)]


def _workloads_read(snapshot: Snapshot) -> bool:
    return any(snapshot.was_read(group, "Deployment") for group in groups_of("apps", "Deployment"))


def _tied_to_group(owner: Owner, workload: KubeObject, snapshot: Snapshot) -> bool:
    """A wildcard name (``provider-*``) matches every Crossplane provider; only the one whose
    owner (the ProviderRevision) also owns the CRD of the owner's API group is that group's
    controller. Without that tie nothing is claimed: another provider being down proves
    nothing about this one."""
    revisions = {o.get("uid") for o in workload.owner_references if o.get("uid")}
    crd_owners = {o.get("uid") for c in _crds_of(owner, snapshot)
                  for o in c.owner_references if o.get("uid")}
    return bool(revisions & crd_owners)


def _crds_of(owner: Owner, snapshot: Snapshot) -> list[KubeObject]:
    return [c for c in snapshot.of_kind("CustomResourceDefinition", CRD_GROUP)
            if str(c.spec.get("group") or "").lower() in owner.groups]


def _workloads_by_crd(owner: Owner, snapshot: Snapshot,
                      index: WorkloadIndex) -> Iterator[KubeObject]:
    """Workloads installed with the group's CRD: owned by the same object (a Crossplane
    ProviderRevision owns both) or released by the same Helm release."""
    crds = _crds_of(owner, snapshot)
    if not crds:
        return
    owner_uids = {o.get("uid") for c in crds for o in c.owner_references
                  if o.get("uid") and o.get("controller") is True}
    releases = {helm_release(c) for c in crds}
    releases.discard((None, None))
    for uid in owner_uids:
        yield from index.owned_by(uid)
    for release in releases:
        yield from index.released(release)


def _workloads(owner: Owner, obj: KubeObject, snapshot: Snapshot,
               unreadable: list[str]) -> Iterator[Evidence]:
    if not (owner.workloads or owner.groups or owner.kopf):
        return
    if _gapped(snapshot, "workloads"):
        unreadable.append("workloads (coverage gap)")
    candidates = _workload_candidates(owner, snapshot)
    if not candidates and owner.workloads and not _workloads_read(snapshot):
        unreadable.append("Deployments")
    for w in candidates:
        yield from _workload_state(w)


def _workload_state(w: KubeObject) -> Iterator[Evidence]:
    where = f"{w.kind} {w.namespace}/{w.name}" if w.namespace else f"{w.kind} {w.name}"
    if w.deletion_timestamp is not None:
        yield Evidence(State.GONE, f"{where} is being deleted", w.ref)
        return
    if w.kind == "DaemonSet":
        ready = w.status.get("numberAvailable")
        desired = w.status.get("desiredNumberScheduled")
        if isinstance(ready, int) and ready > 0:
            yield Evidence(State.ALIVE, f"{where} has {ready} available pod(s)", w.ref)
        elif isinstance(desired, int):
            yield Evidence(State.GONE, f"{where} has no available pod", w.ref)
        return
    replicas = w.spec.get("replicas", 1)
    if replicas == 0:
        yield Evidence(State.GONE, f"{where} is scaled to zero", w.ref)
        return
    if not w.status:
        return  # a manifest: nothing observed
    available = w.status.get("availableReplicas" if w.kind == "Deployment" else "readyReplicas")
    if isinstance(available, int) and available > 0:
        yield Evidence(State.ALIVE, f"{where} has {available} available replica(s)", w.ref)
    else:
        yield Evidence(State.GONE, f"{where} has no available replica", w.ref)


# ---- Kopf peering -----------------------------------------------------------------------
def _kopf_peering(obj: KubeObject, snapshot: Snapshot, now: datetime,
                  unreadable: list[str]) -> Iterator[Evidence]:
    peerings = [p for group, kind in KOPF_PEERINGS for p in snapshot.of_kind(kind, group)
                if kind.startswith("Cluster") or p.namespace == obj.namespace]
    if not peerings:
        if _gapped(snapshot, "kopf") or not any(
                snapshot.was_read(g, k) for g, k in KOPF_PEERINGS):
            unreadable.append("Kopf peerings")
        return
    for peering in peerings:
        status = peering.raw.get("status")
        if not isinstance(status, dict):
            continue
        for peer, info in sorted(status.items()):
            if not isinstance(info, dict):
                continue
            seen = maybe_time(info.get("lastseen"))
            lifetime = info.get("lifetime")
            if seen is None or not isinstance(lifetime, int | float):
                continue
            if seen.tzinfo is None:
                continue
            age = now - seen
            label = f"{peering.kind} {peering.name}: peer {peer} last seen " \
                    f"{format_duration(age)} ago (lifetime {int(lifetime)}s)"
            if age <= timedelta(seconds=lifetime):
                yield Evidence(State.ALIVE, label, peering.ref)
            else:
                yield Evidence(State.GONE, label + ", stale", peering.ref)
