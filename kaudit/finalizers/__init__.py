"""Finalizer knowledge shared by the FN rules and ``kaudit explain``: who owes a finalizer,
whether that controller looks alive, what the object itself says about the cleanup, and what
removing the finalizer by hand would leave behind.

It sits beside the snapshot and graph layers (it reads only snapshots) so that rule packs and
the CLI can both use it without either importing the other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kaudit.finalizers.liveness import READS as LIVENESS_READS
from kaudit.finalizers.liveness import Evidence, Liveness, State, assess
from kaudit.finalizers.table import (
    TABLE,
    Owner,
    OwnerKind,
    finalizer_domain,
    identify,
    served_groups,
)
from kaudit.snapshot import KubeObject, Snapshot

GC_FINALIZERS = frozenset({"foregroundDeletion", "orphan"})
KOPF_PREFIX = "kopf.zalando.org/"
_PROBLEM_CONDITIONS = ("Synced", "Ready", "Reconciled", "Available", "Healthy")


@dataclass(frozen=True, slots=True)
class FinalizerView:
    """Everything kaudit can say about one finalizer of one object."""

    finalizer: str
    index: int
    owner: Owner
    liveness: Liveness
    reported: tuple[str, ...]
    """What the object says about its cleanup: a failing condition, Kopf handler progress."""
    leaves_behind: str
    advice: str = ""
    """What to look at next, when the evidence points somewhere (a live controller that says
    nothing about the object)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "finalizer": self.finalizer,
            "index": self.index,
            "controller": self.owner.controller,
            "identifiedBy": self.owner.basis,
            "liveness": self.liveness.to_json(),
            "objectReports": list(self.reported),
            "leavesBehind": self.leaves_behind,
            "advice": self.advice,
        }


def view(obj: KubeObject, index: int, snapshot: Snapshot, now: datetime,
         groups: dict[str, str] | None = None,
         events: Sequence[KubeObject] = ()) -> FinalizerView:
    """``groups``: ``served_groups(snapshot)``, computed once per scan by the caller;
    ``events``: the Events about ``obj``, from the graph."""
    finalizer = obj.finalizers[index]
    owner = identify(finalizer, obj, snapshot, groups)
    liveness = assess(owner, obj, snapshot, now, events)
    reported = tuple(object_reports(obj)) if not owner.is_gc else ()
    return FinalizerView(finalizer, index, owner, liveness, reported,
                         leaves_behind(obj, owner), _advice(owner, liveness, reported))


def _advice(owner: Owner, liveness: Liveness, reported: tuple[str, ...]) -> str:
    if reported or liveness.state is not State.ALIVE:
        return ""
    if owner.kopf:
        return ("no Kopf handler progress is recorded on the object: the operator is up but "
                "does not seem to receive its events (a stale watch; restarting it re-lists)")
    return "it reports nothing on the object: read the controller's logs"


def object_reports(obj: KubeObject) -> list[str]:
    """The object's own account of why cleanup does not finish: a False condition with a
    message (Crossplane's ``Synced=False ReconcileError "delete failed: ..."``) and Kopf's
    per-handler progress annotations."""
    out: list[str] = []
    for cond in obj.conditions:
        if str(cond.get("status")) != "False" or not cond.get("message"):
            continue
        if cond.get("type") not in _PROBLEM_CONDITIONS and "Error" not in str(cond.get("reason")):
            continue
        out.append(f"{cond.get('type')}=False {cond.get('reason') or ''}: "
                   f"{cond.get('message')}".replace(" :", ":"))
    for key, value in sorted(obj.annotations.items()):
        if not key.startswith(KOPF_PREFIX) or key == KOPF_PREFIX + "last-handled-configuration":
            continue
        progress = _kopf_progress(value)
        if progress is not None:
            out.append(f"Kopf handler {key[len(KOPF_PREFIX):]}: {progress}")
    return out


def _kopf_progress(value: str) -> str | None:
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict) or not ({"started", "retries", "failure"} & data.keys()):
        return None
    parts = [f"retries={data.get('retries', 0)}"]
    if data.get("failure"):
        parts.append("failed")
    if data.get("message"):
        parts.append(f"message {data['message']!r}")
    if data.get("delayed"):
        parts.append(f"next attempt {data['delayed']}")
    return ", ".join(parts)


def leaves_behind(obj: KubeObject, owner: Owner) -> str:
    """A plain warning of what skipping this finalizer leaves behind, with the object's own
    specifics where the kind is known (a Crossplane MR names its external resource)."""
    if owner.finalizer == "finalizer.managedresource.crossplane.io":
        external = obj.annotations.get("crossplane.io/external-name") or obj.name
        config = obj.get("spec", "providerConfigRef", "name")
        policy = obj.get("spec", "deletionPolicy") or "Delete"
        where = f" behind providerConfig {config}" if isinstance(config, str) else ""
        if policy == "Orphan":
            return (f"nothing more than intended: deletionPolicy is Orphan, so the external "
                    f"{obj.kind} {external!r}{where} is kept either way")
        return (f"the external {obj.kind} {external!r}{where} is NOT deleted: it stays, "
                "unmanaged by any Kubernetes object (drop it by hand, or it may be adopted "
                "by the next object with the same external name)")
    return owner.leaves_behind


__all__ = [
    "GC_FINALIZERS",
    "LIVENESS_READS",
    "TABLE",
    "Evidence",
    "FinalizerView",
    "Liveness",
    "Owner",
    "OwnerKind",
    "State",
    "assess",
    "finalizer_domain",
    "identify",
    "leaves_behind",
    "object_reports",
    "served_groups",
    "view",
]
