"""Objects stuck terminating behind finalizers nobody removes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from kaudit.rules import Family, Finding, Rule, RuleContext, Severity, format_duration, format_time


class StuckDeletion(Rule):
    """Object has been terminating longer than ``grace`` because finalizers remain.

    A finalizer is a promise that a controller will clean up and then remove it. When that
    controller is gone or failing, ``kubectl delete`` hangs and everything the object owns
    stays. Deletions younger than ``grace`` (default 15m) are normal work in progress.
    Fix: restore the controller that owns the finalizer; once its cleanup is confirmed done or
    unnecessary, remove the finalizer with the printed JSON patch (it is guarded by a ``test``
    so it cannot remove a different finalizer).
    """

    code = "FN001"
    name = "stuck-deletion"
    family = Family.FINALIZERS
    severity = Severity.ERROR

    @dataclass(frozen=True)
    class Options:
        grace: timedelta = timedelta(minutes=15)

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        for obj in ctx.objects():
            deleted_at = obj.deletion_timestamp
            finalizers = obj.finalizers
            if deleted_at is None or not finalizers:
                continue
            age = ctx.now - deleted_at
            if age < ctx.options.grace:
                continue
            for i, finalizer in enumerate(finalizers):
                pointer = f"/metadata/finalizers/{i}"
                yield self.finding(
                    obj,
                    at=pointer,
                    message=f"terminating for {format_duration(age)} (since "
                            f"{format_time(deleted_at)}); finalizer {finalizer!r} still set",
                    fix=[{"op": "test", "path": pointer, "value": finalizer},
                         {"op": "remove", "path": pointer}],
                    evidence={"finalizer": finalizer},
                )
