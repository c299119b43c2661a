"""Finalizers whose controller is evidently gone."""

from __future__ import annotations

from collections.abc import Iterator

from kaudit.finalizers import (
    GC_FINALIZERS,
    LIVENESS_READS,
    Owner,
    State,
    assess,
    identify,
    served_groups,
    view,
)
from kaudit.rules import Family, Finding, Rule, RuleContext, Severity, format_duration
from kaudit.snapshot.candidates import FINALIZED
from kaudit_rules.finalizers.common import (
    describe_view,
    events_about,
    finalizer_fix,
)

_LOWER = {Severity.ERROR: Severity.WARNING, Severity.WARNING: Severity.INFO,
          Severity.INFO: Severity.INFO}


class OrphanedFinalizer(Rule):
    """A finalizer whose controller is evidently gone: nobody will ever remove it.

    Only positive evidence counts: the API group that controller serves is gone or its CRD is
    being deleted, its aggregated APIService is unavailable, the Deployment/StatefulSet that
    runs it is scaled to zero or has no available replica, or every Kopf peering entry that
    covers the object is stale (``lastseen`` older than ``lifetime``). Any sign of life (an
    available replica, a fresh peering entry) wins; how long a finalizer has been there never
    proves a controller dead on its own. When part of the evidence could not be read (a
    coverage gap), the finding is downgraded one level instead of guessing. Error while the
    object is being deleted (the deletion can never finish), warning otherwise (it will hang
    the day someone deletes it).
    Fix: bring the controller back (scale it up, repair its APIService, reinstall the
    operator) and let it finish its cleanup. Only when it is gone for good, do its cleanup by
    hand and then remove the finalizer with the printed patch; ``kaudit explain`` says what
    that leaves behind.
    """

    code = "FN002"
    name = "orphaned-finalizer"
    family = Family.FINALIZERS
    severity = Severity.ERROR
    reads = LIVENESS_READS

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        groups = served_groups(ctx.snapshot)
        # ``identify`` reads only the finalizer, the object's group and ``groups``: thousands
        # of objects of one operator share one answer.
        owners: dict[tuple[str, str], Owner] = {}
        for obj in ctx.snapshot.candidates(FINALIZED):
            finalizers = obj.finalizers
            if not finalizers:
                continue
            for i, finalizer in enumerate(finalizers):
                if finalizer in GC_FINALIZERS:
                    continue
                # Owner and liveness first: the full view (what the object reports, what
                # removal leaves behind) is only needed for the few whose controller is gone.
                events = events_about(ctx, obj)
                owner = owners.get((finalizer, obj.group))
                if owner is None:
                    owner = owners[finalizer, obj.group] = identify(
                        finalizer, obj, ctx.snapshot, groups)
                if assess(owner, obj, ctx.snapshot, ctx.now, events).state is not State.GONE:
                    continue
                fv = view(obj, i, ctx.snapshot, ctx.now, groups, events)
                deleted_at = obj.deletion_timestamp
                if deleted_at is not None:
                    severity = Severity.ERROR
                    state = (f"terminating for {format_duration(ctx.now - deleted_at)} and "
                             "cannot finish")
                else:
                    severity = Severity.WARNING
                    state = "not being deleted yet, but a delete would hang"
                if fv.liveness.unreadable:
                    severity = _LOWER[severity]
                text, related_objs = describe_view(fv)
                yield self.finding(
                    obj,
                    at=f"/metadata/finalizers/{i}",
                    message=f"finalizer {finalizer!r} has no live controller: {text}; {state}",
                    related=related_objs,
                    severity=severity,
                    fix=finalizer_fix(obj, i) if deleted_at is not None else [],
                    evidence={"finalizer": finalizer, "controller": fv.owner.controller},
                )
