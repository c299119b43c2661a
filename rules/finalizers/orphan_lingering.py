"""The garbage collector's ``orphan`` finalizer that stays."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from kaudit.finalizers import LIVENESS_READS
from kaudit.rules import (
    Family,
    Finding,
    Rule,
    RuleContext,
    Severity,
    condition_is,
    format_duration,
    format_time,
    related,
)
from kaudit.snapshot.candidates import TERMINATING
from kaudit_rules.finalizers.common import finalizer_fix

ORPHAN = "orphan"


class OrphanFinalizerLingering(Rule):
    """The garbage collector's ``orphan`` finalizer is still set after ``grace``.

    ``kubectl delete --cascade=orphan`` (``propagationPolicy: Orphan``) adds ``orphan``; the
    garbage collector then strips this owner's ownerReference from every dependent and removes
    the finalizer, normally within seconds. Still there after ``grace`` (default 10m) means the
    garbage collector is not processing the object (often because discovery of some API group
    fails, see SC004/FN004) or cannot update a dependent. The object cannot go away meanwhile.
    Fix: repair what stalls the garbage collector (an unavailable APIService). Do not simply
    remove ``orphan``: the dependents still name this owner and would then be garbage-collected
    instead of kept; remove their ownerReferences first. The printed patch is offered only when
    no dependent is left in the snapshot.
    """

    code = "FN005"
    name = "orphan-finalizer-lingering"
    family = Family.FINALIZERS
    severity = Severity.WARNING
    reads = LIVENESS_READS

    @dataclass(frozen=True)
    class Options:
        grace: timedelta = timedelta(minutes=10)

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        unavailable = [s for s in ctx.snapshot.of_kind("APIService", "apiregistration.k8s.io")
                       if condition_is(s, "Available", "False")]
        for obj in ctx.snapshot.candidates(TERMINATING):
            deleted_at = obj.deletion_timestamp
            if deleted_at is None or ORPHAN not in obj.finalizers:
                continue
            age = ctx.now - deleted_at
            if age < ctx.options.grace:
                continue
            index = obj.finalizers.index(ORPHAN)
            dependents = [link.obj for link in ctx.dependents(obj) if link.obj is not None]
            message = (f"'orphan' finalizer still set {format_duration(age)} after deletion "
                       f"(since {format_time(deleted_at)}); the garbage collector removes it "
                       "within seconds once it has orphaned the dependents")
            if dependents:
                message += ("; dependents still naming this owner: "
                            + ", ".join(d.ref.short for d in dependents[:10])
                            + " (removing 'orphan' now would delete them)")
            else:
                message += "; no dependent is left in the snapshot"
            if unavailable:
                message += ("; the garbage collector may be stalled by unavailable "
                            + ", ".join(f"APIService {s.name}" for s in unavailable))
            yield self.finding(
                obj,
                at=f"/metadata/finalizers/{index}",
                message=message,
                related=[*(related(d, "dependent") for d in dependents[:10]),
                         *(related(s, "evidence") for s in unavailable)],
                fix=[] if dependents else finalizer_fix(obj, index),
            )
