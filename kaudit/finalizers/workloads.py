"""The workloads of one snapshot, indexed the ways a finalizer's owner names its controller.

Every finalized object asks "which Deployment/StatefulSet/DaemonSet runs the controller that
owes this finalizer?". Answering by walking every workload for each owner cost O(owners x
workloads): on the 100k-object benchmark four owners meant 36k workload visits, twice, for
FN001 and FN002, although no workload matched. An owner names its workloads by exact name
(``name`` or ``namespace/name``), by fnmatch pattern, by labels, by the object that owns its
CRD (a Crossplane ProviderRevision) or by the Helm release that installed its CRD, or runs
Kopf; each of those except the pattern is a dict lookup here, built in one pass the first
time it is asked of a snapshot.

Each lookup is an equality test done by hash: a workload is filed under the very value the
predicate compares (its name, ``namespace/name``, one label pair, an ownerReference uid, its
release annotations), so a lookup returns exactly the workloads the walk accepted, in the
walk's order. Owner labels (all pairs must match) are looked up by their first pair and the
rest checked by ``liveness``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kaudit.apiversions import groups_of
from kaudit.snapshot import KubeObject, Snapshot

WORKLOAD_KINDS = (("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "DaemonSet"))
"""The kinds a controller runs as, by current group; the legacy groups serving the same kind
(``extensions/v1beta1`` Deployments and DaemonSets, from kaudit/data/api_versions.yaml) count
too: a cluster or dump that old still runs its operators that way."""
HELM_RELEASE = "meta.helm.sh/release-name"
HELM_NAMESPACE = "meta.helm.sh/release-namespace"


def all_workloads(snapshot: Snapshot) -> Iterator[KubeObject]:
    """Every Deployment, StatefulSet and DaemonSet, in its current group or a legacy one
    (``apps/v1beta1``/``v1beta2`` are the ``apps`` group already); one identity listed in
    two groups (an old cluster's dump of both) is one workload, as ``RuleContext.objects``
    sees it."""
    for group, kind in WORKLOAD_KINDS:
        seen: set[tuple[str, str]] = set()
        for legacy in groups_of(group, kind):
            for w in snapshot.of_kind(kind, legacy):
                if (w.namespace, w.name) not in seen:
                    seen.add((w.namespace, w.name))
                    yield w


def helm_release(obj: KubeObject) -> tuple[Any, Any]:
    """The Helm release (name, namespace) annotations of ``obj``; ``(None, None)`` if none."""
    annotations = obj.annotations
    return annotations.get(HELM_RELEASE), annotations.get(HELM_NAMESPACE)


def _add(index: dict[Any, list[KubeObject]], key: Any, w: KubeObject) -> None:
    """File ``w`` under ``key``; a key that cannot be hashed (a list where a string belongs)
    equals no string a lookup could ask with, so it is not filed."""
    try:
        found = index.get(key)
    except TypeError:
        return
    if found is None:
        index[key] = [w]
    elif found[-1] is not w:
        found.append(w)


def _get(index: dict[Any, list[KubeObject]], key: Any) -> list[KubeObject]:
    try:
        return index.get(key, [])
    except TypeError:  # unhashable: filed under nothing
        return []


class WorkloadIndex:
    """Lookups over ``all_workloads(snapshot)``; each returns workloads in that order. Each
    lookup's table is built on its first use: most snapshots' owners name workloads one way
    or not at all (then nothing is indexed)."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._workloads: tuple[KubeObject, ...] | None = None
        self._by_name: dict[str, list[KubeObject]] | None = None
        self._by_label: dict[tuple[Any, Any], list[KubeObject]] | None = None
        self._by_owner_uid: dict[Any, list[KubeObject]] | None = None
        self._by_release: dict[tuple[Any, Any], list[KubeObject]] | None = None
        self._kopf: tuple[KubeObject, ...] | None = None

    @property
    def workloads(self) -> tuple[KubeObject, ...]:
        if self._workloads is None:
            self._workloads = tuple(all_workloads(self._snapshot))
        return self._workloads

    def named(self, name: str) -> list[KubeObject]:
        """Workloads whose ``name`` or ``namespace/name`` is ``name``."""
        if self._by_name is None:
            self._by_name = {}
            for w in self.workloads:
                _add(self._by_name, w.name, w)
                _add(self._by_name, f"{w.namespace}/{w.name}", w)
        return self._by_name.get(name, [])

    def labelled(self, key: str, value: str) -> list[KubeObject]:
        """Workloads whose label ``key`` has ``value``."""
        if self._by_label is None:
            self._by_label = {}
            for w in self.workloads:
                for pair in w.labels.items():
                    _add(self._by_label, pair, w)
        return self._by_label.get((key, value), [])

    def owned_by(self, uid: Any) -> list[KubeObject]:
        """Workloads with an ownerReference whose ``uid`` is ``uid``."""
        if self._by_owner_uid is None:
            self._by_owner_uid = {}
            for w in self.workloads:
                for ref in w.owner_references:
                    _add(self._by_owner_uid, ref.get("uid"), w)
        return _get(self._by_owner_uid, uid)

    def released(self, release: tuple[Any, Any]) -> list[KubeObject]:
        """Workloads whose Helm release annotations are ``release``."""
        if self._by_release is None:
            self._by_release = {}
            for w in self.workloads:
                _add(self._by_release, helm_release(w), w)
        return _get(self._by_release, release)

    def running_kopf(self) -> tuple[KubeObject, ...]:
        """Workloads that run ``kopf`` as a command or argument."""
        if self._kopf is None:
            self._kopf = tuple(w for w in self.workloads if runs_kopf(w))
        return self._kopf


def runs_kopf(workload: KubeObject) -> bool:
    containers = workload.get("spec", "template", "spec", "containers", default=[])
    if not isinstance(containers, list):
        return False
    for c in containers:
        if not isinstance(c, dict):
            continue
        words = [*(c.get("command") or []), *(c.get("args") or [])]
        if any(isinstance(w, str) and w.split("/")[-1] == "kopf" for w in words):
            return True
    return False


def workload_index(snapshot: Snapshot) -> WorkloadIndex:
    """The index of ``snapshot``, built on the first ask and kept as long as the snapshot."""
    return snapshot.derived(WorkloadIndex)
