"""Resource types a live scan could not read."""

from __future__ import annotations

from collections.abc import Iterator

from kaudit.rules import NOTHING, Family, Finding, Rule, RuleContext, Severity


class CoverageGapRule(Rule):
    """A resource type could not be listed (forbidden, discovery failed, throttled, timed out).

    The scan went on without it, so every rule that needed that type saw nothing: a stuck
    finalizer or a conflicting object of that type would go unreported. Fix: grant ``list`` on
    the resource to the identity kaudit runs as, or repair the failing API service (an
    unavailable aggregated API also blocks namespace deletion and garbage collection).
    """

    code = "KA002"
    name = "coverage-gap"
    family = Family.INPUT
    severity = Severity.WARNING
    reads = NOTHING

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for gap in ctx.snapshot.gaps:
            detail = f" ({gap.detail})" if gap.detail else ""
            yield self.finding(
                None,
                message=f"could not read {gap.resource}: {gap.reason}{detail}; findings that "
                        "need it are missing",
                evidence={"subject": gap.resource, "reason": gap.reason},
            )
