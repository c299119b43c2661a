"""Status written for an older spec than the one the object has now."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from kaudit.rules import (
    NOTHING,
    Family,
    Finding,
    KubeObject,
    Rule,
    RuleContext,
    Severity,
    conditions,
    format_duration,
    format_time,
    maybe_time,
)
from kaudit.rules.conditions import behind
from kaudit.snapshot.candidates import GENERATION_TRACKED
from kaudit_rules.status.times import managed_fields


def last_spec_write(obj: KubeObject) -> datetime | None:
    """The newest ``managedFields`` time of a write to the main resource (not ``status``):
    the generation changed at or before it, so ``now - it`` is a lower bound of how long the
    status has been stale."""
    latest: datetime | None = None
    for entry in managed_fields(obj.metadata):
        if entry.get("subresource"):
            continue
        when = maybe_time(entry.get("time"))
        if when is not None and (latest is None or when > latest):
            latest = when
    return latest


def last_status_write(obj: KubeObject) -> datetime | None:
    latest: datetime | None = None
    for entry in managed_fields(obj.metadata):
        if entry.get("subresource") == "status":
            when = maybe_time(entry.get("time"))
            if when is not None and (latest is None or when > latest):
                latest = when
    return latest


class StaleObservedGeneration(Rule):
    """``status.observedGeneration`` (or a condition's) is behind ``metadata.generation``.

    A controller records the generation it acted on; when that is behind, the status (and
    every Ready condition in it) describes a spec that no longer exists, and tools that wait
    for "observedGeneration == generation" wait forever. A spec change is normal for a few
    seconds, so kaudit needs evidence of age: the newest non-status ``managedFields`` write
    (the spec changed no later than that) must be older than ``grace`` (default 10m). Without
    that evidence (no managedFields) the finding is info. Only fields the controller actually
    sets are compared: many controllers never write observedGeneration, and a condition
    without one says nothing. Conditions are read wherever the API puts them, so a Gateway
    API route's per-parent and a Gateway's per-listener conditions count. Objects being
    deleted are left to the FN rules.
    Fix: look at the controller's logs for this object -- it is not reconciling it (crashed,
    stuck on an earlier error, or filtered out by a label/namespace selector); restarting the
    controller re-queues every object.
    """

    code = "ST003"
    name = "stale-observed-generation"
    family = Family.STATUS
    severity = Severity.WARNING
    reads = NOTHING

    @dataclass(frozen=True)
    class Options:
        grace: timedelta = timedelta(minutes=10)

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        for obj in ctx.snapshot.candidates(GENERATION_TRACKED):
            generation = obj.generation
            if generation is None or obj.deletion_timestamp is not None:
                continue
            observed = obj.status.get("observedGeneration")
            stale_object = isinstance(observed, int) and observed < generation
            if not stale_object and not behind(obj, generation):
                continue  # the usual case, known without building the conditions
            stale_conditions = [
                c for c in conditions(obj)
                if c.observed_generation is not None and c.observed_generation < generation
            ]
            if not stale_object and not stale_conditions:
                continue
            changed = last_spec_write(obj)
            if changed is not None and ctx.now - changed < ctx.options.grace:
                continue
            if changed is None:
                age = "when the spec changed is not recorded (no managedFields)"
                severity = Severity.INFO
            else:
                age = (f"the spec was last written {format_duration(ctx.now - changed)} ago "
                       f"({format_time(changed)})")
                status_at = last_status_write(obj)
                if status_at is not None and status_at > changed:
                    age += (f" and status was written since ({format_time(status_at)}) "
                            "without catching up")
                severity = None
            if stale_object:
                yield self.finding(
                    obj, at="/status/observedGeneration", severity=severity,
                    message=f"status.observedGeneration is {observed}, metadata.generation "
                            f"is {generation}: the status describes an older spec; {age}",
                    evidence={"generation": generation, "observed": observed},
                )
            elif stale_conditions:
                listed = ", ".join(
                    f"{c.type}" + (f" for {c.owner}" if c.owner else "")
                    + f" (observedGeneration {c.observed_generation})"
                    for c in stale_conditions)
                yield self.finding(
                    obj, at=stale_conditions[0].pointer, severity=severity,
                    message=f"condition(s) {listed} behind metadata.generation {generation}: "
                            f"they describe an older spec; {age}",
                    evidence={"generation": generation,
                              "conditions": [c.type for c in stale_conditions]},
                )
