"""What a rule may see: the snapshot, its graph, the options, ``now``, an earlier
observation and the cluster the snapshot is about to be applied to. Nothing here reads a file
or talks to a cluster."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

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

    def objects(self, kind: str | None = None, group: str | None = None) -> Iterator[KubeObject]:
        # The snapshot's own iterator, not a generator around it: a dozen rules walk every
        # object, and re-yielding each one cost more than some of those rules' own checks.
        if kind is None:
            return iter(self.snapshot)
        return iter(self.snapshot.of_kind(kind, group))

    def get(self, key: ObjectKey) -> KubeObject | None:
        return self.snapshot.get(key)

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
