"""What a rule may see: the snapshot, its graph, the options, ``now``, an earlier
observation and the cluster the snapshot is about to be applied to. Nothing here reads a file
or talks to a cluster."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from kaudit.apiversions import groups_of
from kaudit.graph import ClusterGraph, Link
from kaudit.graph.edges.ownerrefs import OWNER
from kaudit.model import ObjectKey
from kaudit.snapshot import KubeObject, Snapshot

O = TypeVar("O")  # noqa: E741


@dataclass(frozen=True)
class RuleContext(Generic[O]):
    snapshot: Snapshot
    graph: ClusterGraph
    options: O
    now: datetime
    previous: Snapshot | None = None
    """An earlier observation of the same cluster (``--previous``), to tell stuck from slow."""
    against: Snapshot | None = None
    """The cluster the scanned objects are about to be applied to (``--against``): the
    snapshot holds manifests, this holds what is live, so rules can predict a failing apply."""

    kube_version: tuple[int, int] | None = None
    """The Kubernetes release the scanned objects are meant for (``--kube-version``)."""

    def objects(self, kind: str | None = None, group: str | None = None) -> Iterator[KubeObject]:
        """Objects of ``kind`` in ``group`` -- and in every group that serves the same kind
        (``apps`` Deployments include ``extensions/v1beta1`` ones: kaudit/data/
        api_versions.yaml), so a manifest for an old cluster is seen by every rule."""
        # The snapshot's own iterator, not a generator around it: a dozen rules walk every
        # object, and re-yielding each one cost more than some of those rules' own checks.
        if kind is None:
            return iter(self.snapshot)
        if group is not None:
            groups = groups_of(group, kind)
            if len(groups) > 1:
                return iter(self._across_groups(kind, groups))
        return iter(self.snapshot.of_kind(kind, group))

    def _across_groups(self, kind: str,
                       groups: tuple[str, ...]) -> list[KubeObject] | tuple[KubeObject, ...]:
        """Each identity once: an object defined in two groups (``apps`` and ``extensions``)
        is one object to the API server, seen here in the group asked for (UQ001 reports the
        double definition), as the snapshot shows a repeated identity once."""
        present = [g for g in groups if self.snapshot.of_kind(kind, g)]
        if len(present) <= 1:  # the usual case: one group, whose identities repeat nothing
            return self.snapshot.of_kind(kind, present[0]) if present else ()
        seen: set[tuple[str, str]] = set()
        out: list[KubeObject] = []
        for group in groups:
            for obj in self.snapshot.of_kind(kind, group):
                identity = (obj.namespace, obj.name)
                if identity not in seen:
                    seen.add(identity)
                    out.append(obj)
        return out

    def get(self, key: ObjectKey) -> KubeObject | None:
        """The object with ``key``, or its twin in a group serving the same kind."""
        found = self.snapshot.get(key)
        if found is None:
            for group in groups_of(key.group, key.kind)[1:]:
                found = self.snapshot.get(ObjectKey(group, key.kind, key.namespace, key.name))
                if found is not None:
                    break
        return found

    def owners(self, obj: KubeObject) -> list[Link]:
        return self.graph.outgoing(obj.key, OWNER)

    def dependents(self, obj: KubeObject) -> list[Link]:
        return self.graph.incoming(obj.key, OWNER)

    def earlier(self, obj: KubeObject) -> KubeObject | None:
        """The same object in the previous observation, matched by key and uid."""
        if self.previous is None:
            return None
        before = self.previous.get(obj.key)
        if before is None or (obj.uid and before.uid and before.uid != obj.uid):
            return None
        return before

    def live_counterpart(self, obj: KubeObject) -> KubeObject | None:
        """The object with the same identity in the ``against`` cluster: what applying
        ``obj`` would update. Matched by key only (a manifest carries no uid)."""
        if self.against is None:
            return None
        return self.against.get(obj.key)
