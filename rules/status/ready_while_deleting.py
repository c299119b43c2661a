"""Objects that say they are healthy while they are going away."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from kaudit.rules import (
    NOTHING,
    Family,
    Finding,
    KubeObject,
    Rule,
    RuleContext,
    Severity,
    age_seconds,
    conditions,
    format_duration,
    format_time,
    related,
)
from kaudit.snapshot.candidates import CONDITIONED, TERMINATING
from kaudit_rules.status.conditions import true_health_conditions

COMPOSITE = "composite"  # claim -> XR (kaudit.graph.edges.crossplane.RESOURCE)
READY_TYPES = ("Ready", "Synced", "Available", "Programmed", "Healthy")
UNREADY_TYPES = ("Ready", "Available", "Programmed", "Healthy")


def _maybe_claims(ctx: RuleContext[object]) -> set[KubeObject]:
    """A cheap superset of the claims, before asking the graph: claims name their composite
    in ``spec.resourceRef`` (v1) or ``spec.crossplane.resourceRef`` (v2). Read from the
    snapshot's field index rather than from each object's spec."""
    found = set(ctx.snapshot.having("spec", "resourceRef"))
    for obj in ctx.snapshot.having("spec", "crossplane"):
        crossplane = obj.spec.get("crossplane")
        if isinstance(crossplane, dict) and "resourceRef" in crossplane:
            found.add(obj)
    return found


def _reports_unready(obj: KubeObject) -> bool:
    """A Ready, Available, Programmed or Healthy condition that is not True: the controller
    is saying something (Crossplane >= 1.16 writes Ready=False/Deleting and keeps
    Synced=True, which only means its last reconcile worked)."""
    return any(c.type in UNREADY_TYPES and not c.is_true for c in conditions(obj))


class ReadyWhileDeleting(Rule):
    """A Ready/Synced/Available/Programmed=True condition on an object deleted longer than
    ``grace`` ago.

    A controller that still reports healthy while the object is being torn down is not
    reconciling it any more (Crossplane before 1.16 left claims Ready=True for the whole
    foreground deletion of their composite, crossplane#5416): users and tools waiting on
    ``Ready`` see a working resource while ``kubectl delete`` hangs. A Crossplane claim whose
    composite is being deleted is flagged too, with the composite named. Conditions are read
    wherever the API puts them: ``status.conditions`` (Flux's Ready too), a Gateway's
    listeners, a route's parents, Argo CD's ``status.health``/``status.sync``, Rook's
    ``status.phase``, Longhorn's ``status.robustness`` (a phase ``Deleting`` or state
    ``deleting`` is the controller reporting the deletion). ``Synced=True``
    next to a ``Ready=False`` (e.g. reason Deleting) is the controller telling the truth and
    is not flagged. Deletions younger than ``grace`` (default 2m) are left alone: the controller may
    simply not have run yet.
    Fix: look at what holds the deletion (``kaudit explain``, FN001/FN003 findings) and fix
    that; upgrade controllers that do not write a Deleting status (Crossplane >= 1.16).
    """

    code = "ST001"
    name = "ready-while-deleting"
    family = Family.STATUS
    severity = Severity.WARNING
    reads = NOTHING

    @dataclass(frozen=True)
    class Options:
        grace: timedelta = timedelta(minutes=2)

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        # Being deleted, or maybe a claim: a set of the few such objects, so the walk over
        # every object with a status never reads one of them.
        maybe_claims = _maybe_claims(ctx)
        subjects = maybe_claims.union(ctx.snapshot.candidates(TERMINATING))
        for obj in ctx.snapshot.candidates(CONDITIONED):  # a True condition is needed
            if obj not in subjects:
                continue
            deleting = obj.deletion_timestamp is not None
            if not deleting and obj not in maybe_claims:
                continue
            healthy = list(true_health_conditions(obj, READY_TYPES))
            if not healthy or _reports_unready(obj):
                continue
            at = healthy[0].pointer
            claims = ", ".join(c.describe() for c in healthy)
            age = self._deleting_for(ctx, obj)
            if age is not None:
                yield self.finding(
                    obj, at=at,
                    message=f"being deleted for {format_duration(age)} (since "
                            f"{format_time(obj.deletion_timestamp)}) but still reports "
                            f"{claims}; its controller is not reporting the deletion",
                    evidence={"deleting_for_seconds": age_seconds(age)},
                )
                continue
            for link in ctx.graph.outgoing(obj.key, COMPOSITE):
                composite = link.obj
                if composite is None:
                    continue
                xr_age = self._deleting_for(ctx, composite)
                if xr_age is None:
                    continue
                yield self.finding(
                    obj, at=at,
                    message=f"reports {claims} while its composite {composite.kind} "
                            f"{composite.name} has been deleting for "
                            f"{format_duration(xr_age)} (since "
                            f"{format_time(composite.deletion_timestamp)})",
                    related=[related(composite, "composite")],
                    evidence={"deleting_for_seconds": age_seconds(xr_age)},
                )

    @staticmethod
    def _deleting_for(ctx: RuleContext[Options], obj: KubeObject) -> timedelta | None:
        deleted_at = obj.deletion_timestamp
        if deleted_at is None:
            return None
        age = ctx.now - deleted_at
        return age if age >= ctx.options.grace else None
