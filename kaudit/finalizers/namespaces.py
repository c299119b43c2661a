"""What kube-controller-manager's namespace deleter writes on a Terminating namespace.

Its five condition types (``pkg/controller/namespace/deletion``) say what blocks deletion when
True. A discovery failure names the group/versions that could not be listed; the namespace
cannot finish until each of them can be, so the unavailable APIService behind each one is the
real blocker, even when the namespace is already empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kaudit.model import ObjectKey
from kaudit.snapshot import KubeObject, Snapshot

CONDITION_TYPES = (
    "NamespaceDeletionDiscoveryFailure",            # reason DiscoveryFailed
    "NamespaceDeletionGroupVersionParsingFailure",  # reason GroupVersionParsingFailed
    "NamespaceDeletionContentFailure",              # reason ContentDeletionFailed
    "NamespaceContentRemaining",                    # reason SomeResourcesRemain
    "NamespaceFinalizersRemaining",                 # reason SomeFinalizersRemain
)
DISCOVERY = "NamespaceDeletionDiscoveryFailure"
# "...server APIs: metrics.k8s.io/v1beta1: stale GroupVersion discovery: metrics.k8s.io/v1beta1"
_GROUP_VERSION = re.compile(
    r"\b([a-z0-9-]+(?:\.[a-z0-9-]+)+)/(v[0-9]+(?:(?:alpha|beta)[0-9]+)?)\b")


@dataclass(frozen=True, slots=True)
class DiscoveryBlocker:
    group: str
    version: str
    apiservice: KubeObject | None
    """The APIService ``<version>.<group>``, when the snapshot has it."""

    @property
    def name(self) -> str:
        return f"{self.version}.{self.group}"

    @property
    def unavailable(self) -> Mapping[str, Any] | None:
        """Its ``Available=False`` condition, if that is what it reports."""
        if self.apiservice is None:
            return None
        cond = self.apiservice.condition("Available")
        return cond if cond is not None and str(cond.get("status")) == "False" else None


def failing_conditions(namespace: KubeObject) -> list[Mapping[str, Any]]:
    conditions = {str(c.get("type")): c for c in namespace.conditions}
    return [conditions[t] for t in CONDITION_TYPES
            if str(conditions.get(t, {}).get("status")) == "True"]


def discovery_blockers(namespace: KubeObject, snapshot: Snapshot) -> list[DiscoveryBlocker]:
    """The group/versions a True discovery-failure condition names, with their APIServices."""
    cond = namespace.condition(DISCOVERY)
    if cond is None or str(cond.get("status")) != "True":
        return []
    found = sorted(set(_GROUP_VERSION.findall(str(cond.get("message") or ""))))
    return [DiscoveryBlocker(group, version, snapshot.get(ObjectKey(
        "apiregistration.k8s.io", "APIService", "", f"{version}.{group}")))
        for group, version in found]
