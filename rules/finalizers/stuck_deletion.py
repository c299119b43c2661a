"""Objects stuck terminating behind finalizers nobody removes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from kaudit.finalizers import GC_FINALIZERS, LIVENESS_READS, served_groups, view
from kaudit.rules import (
    Family,
    Finding,
    Rule,
    RuleContext,
    Severity,
    format_duration,
    format_time,
)
from kaudit.snapshot.candidates import TERMINATING
from kaudit_rules.finalizers.common import (
    describe_view,
    events_about,
    finalizer_fix,
    volume_holders,
    waiting_on,
)


class StuckDeletion(Rule):
    """Object has been terminating longer than ``grace`` because finalizers remain.

    A finalizer is a promise that a controller will clean up and then remove it. When that
    controller is gone or failing, ``kubectl delete`` hangs and everything the object owns
    stays. Deletions younger than ``grace`` (default 15m) are normal work in progress. Each
    finding names the controller that owes the finalizer (from the catalogue of well-known
    finalizers that ``kaudit finalizers`` lists, with the upstream file that sets each, else
    the CRD/APIService group its domain names), whether that controller
    looks alive and on what evidence, and what the object itself reports (a failing
    condition, Kopf handler progress). On a PersistentVolume it also names the
    VolumeAttachment that still points at it (its node, whether it is attached, the detach
    error) and the claim still bound to it. The garbage collector's own finalizers
    (``foregroundDeletion``, ``orphan``) are left to FN003 and FN005, which explain them
    down to the dependents that hold them, so one cause is reported once.
    Fix: restore the controller that owns the finalizer; once its cleanup is confirmed done or
    unnecessary, remove the finalizer with the printed JSON patch (it is guarded by ``test``
    operations so it cannot remove a different finalizer or touch a re-created object).
    ``kaudit explain`` shows the whole chain and what removing it leaves behind.
    """

    code = "FN001"
    name = "stuck-deletion"
    family = Family.FINALIZERS
    severity = Severity.ERROR
    reads = LIVENESS_READS

    @dataclass(frozen=True)
    class Options:
        grace: timedelta = timedelta(minutes=15)

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        groups = served_groups(ctx.snapshot)
        for obj in ctx.snapshot.candidates(TERMINATING):
            deleted_at = obj.deletion_timestamp
            finalizers = obj.finalizers
            if deleted_at is None or not finalizers:
                continue
            age = ctx.now - deleted_at
            if age < ctx.options.grace:
                continue
            waits = waiting_on(ctx, obj)
            holders, holder_refs = volume_holders(ctx, obj)
            for i, finalizer in enumerate(finalizers):
                if finalizer in GC_FINALIZERS:
                    continue  # FN003 (foregroundDeletion) and FN005 (orphan) explain these
                fv = view(obj, i, ctx.snapshot, ctx.now, groups, events_about(ctx, obj))
                text, related_objs = describe_view(fv)
                wait_text = ""
                if waits:
                    wait_text = "; it waits for " + ", ".join(
                        f"{r.ref.short} (deleting)" for r in waits)
                yield self.finding(
                    obj,
                    at=f"/metadata/finalizers/{i}",
                    message=f"terminating for {format_duration(age)} (since "
                            f"{format_time(deleted_at)}); finalizer {finalizer!r} still set; "
                            f"{text}{wait_text}" + (f"; {holders}" if holders else ""),
                    related=[*related_objs, *waits, *holder_refs],
                    fix=finalizer_fix(obj, i),
                    evidence={"finalizer": finalizer, "controller": fv.owner.controller,
                              "liveness": fv.liveness.state.value},
                )
