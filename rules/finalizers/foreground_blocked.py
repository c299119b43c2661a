"""Owners held by ``foregroundDeletion`` behind dependents that do not go away."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from kaudit.finalizers import LIVENESS_READS, object_reports
from kaudit.rules import (
    Family,
    Finding,
    KubeObject,
    ObjectKey,
    Related,
    Rule,
    RuleContext,
    Severity,
    condition_is,
    format_duration,
    format_time,
    related,
)
from kaudit.snapshot.candidates import TERMINATING
from kaudit_rules.finalizers.common import COMPOSES, finalizer_fix

FOREGROUND = "foregroundDeletion"
_MAX_NAMED = 5


def blocking_dependents(ctx: RuleContext, obj: KubeObject) -> list[KubeObject]:
    """Dependents the garbage collector must delete before ``obj`` (``blockOwnerDeletion``),
    and a Crossplane composite's composed resources (``spec.resourceRefs``), which its
    foreground deletion waits for as well."""
    found: dict[ObjectKey, KubeObject] = {}
    for link in ctx.dependents(obj):
        if link.obj is not None and link.attrs.get("blockOwnerDeletion") and \
                (not link.attrs.get("uid") or not obj.uid or link.attrs["uid"] == obj.uid):
            found[link.key] = link.obj
    for link in ctx.graph.outgoing(obj.key, COMPOSES):
        if link.obj is not None:
            found[link.key] = link.obj
    return [found[k] for k in sorted(found)]


def _held(obj: KubeObject) -> bool:
    return obj.deletion_timestamp is not None and FOREGROUND in obj.finalizers


@dataclass(frozen=True)
class _Leaf:
    obj: KubeObject
    chain: tuple[KubeObject, ...]
    stuck: bool


class ForegroundBlocked(Rule):
    """An owner held by ``foregroundDeletion`` whose blocking dependents do not go away.

    With foreground propagation (``kubectl delete --cascade=foreground``, Crossplane's
    ``compositeDeletePolicy: Foreground``) the garbage collector deletes every dependent whose
    ownerReference has ``blockOwnerDeletion: true`` (and a Crossplane composite waits for its
    composed resources) before it removes the owner's ``foregroundDeletion`` finalizer. One
    dependent that cannot be deleted holds the whole chain, and ``kubectl delete`` hangs
    without saying why. The finding walks the chain down to the leaves that are themselves
    stuck (deleting past ``grace`` with finalizers, or not deleted at all) and names them; it
    is reported once, on the topmost held owner. Deletions younger than ``grace`` whose
    dependents are still being deleted are progress, not a finding. An owner with no blocking
    dependent in the snapshot is a warning: either its dependents were not captured or the
    garbage collector is not processing it.
    Fix: unblock the leaf (FN001 on it names the finalizer and its controller; ``kaudit
    explain`` prints the patch); the garbage collector then finishes the chain by itself.
    Removing ``foregroundDeletion`` from the owner instead deletes it at once and leaves the
    dependents to background collection.
    """

    code = "FN003"
    name = "foreground-blocked"
    family = Family.FINALIZERS
    severity = Severity.ERROR
    reads = LIVENESS_READS

    @dataclass(frozen=True)
    class Options:
        grace: timedelta = timedelta(minutes=15)

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        grace = ctx.options.grace
        for obj in ctx.snapshot.candidates(TERMINATING):  # _held: being deleted
            if not _held(obj) or self._held_above(ctx, obj):
                continue
            deleted_at = obj.deletion_timestamp
            assert deleted_at is not None
            age = ctx.now - deleted_at
            if age < grace:
                continue
            head = (f"held by foregroundDeletion for {format_duration(age)} (since "
                    f"{format_time(deleted_at)})")
            waiting = [related(link.obj, "waiting")
                       for link in ctx.graph.incoming(obj.key, "composite")
                       if link.obj is not None and link.obj.deletion_timestamp is not None]
            leaves = list(self._leaves(ctx, obj, (obj,), set(), ctx.now, grace))
            if not leaves:
                yield self._no_dependents(ctx, obj, head, waiting)
                continue
            stuck = [leaf for leaf in leaves if leaf.stuck]
            if not stuck:
                continue  # the dependents are still going away: slow, not stuck
            named = "; ".join(_describe(leaf.obj, ctx.now) for leaf in stuck[:_MAX_NAMED])
            more = f" and {len(stuck) - _MAX_NAMED} more" if len(stuck) > _MAX_NAMED else ""
            chain = " <- ".join(o.ref.short for o in stuck[0].chain)
            message = (f"{head}: the garbage collector deletes its blocking dependents first, "
                       f"and {len(stuck)} of them cannot go: {named}{more}; chain: {chain}")
            if waiting:
                message += "; waiting on it: " + ", ".join(r.ref.short for r in waiting)
            rels: list[Related] = []
            seen: set[object] = set()
            for leaf in stuck:
                for via in leaf.chain[1:-1]:
                    if via.key not in seen:
                        seen.add(via.key)
                        rels.append(related(via, "via"))
                if leaf.obj.key not in seen:
                    seen.add(leaf.obj.key)
                    rels.append(related(leaf.obj, "blocked-by"))
            yield self.finding(obj, at=_pointer(obj), message=message,
                               related=[*rels, *waiting],
                               evidence={"blockers": len(stuck)})

    def _held_above(self, ctx: RuleContext, obj: KubeObject) -> bool:
        """Whether an owner that is itself held waits for ``obj``: report the top only."""
        for link in ctx.owners(obj):
            if link.obj is not None and link.attrs.get("blockOwnerDeletion") and _held(link.obj):
                return True
        return any(link.obj is not None and _held(link.obj)
                   for link in ctx.graph.incoming(obj.key, COMPOSES))

    def _leaves(self, ctx: RuleContext, obj: KubeObject, chain: tuple[KubeObject, ...],
                seen: set[object], now: datetime, grace: timedelta) -> Iterator[_Leaf]:
        for child in blocking_dependents(ctx, obj):
            if child.key in seen:
                continue
            seen.add(child.key)
            path = (*chain, child)
            grandchildren = [c for c in blocking_dependents(ctx, child) if c.key not in seen]
            if grandchildren:
                yield from self._leaves(ctx, child, path, seen, now, grace)
                continue
            deleted = child.deletion_timestamp
            stuck = deleted is None or now - deleted >= grace
            yield _Leaf(child, path, stuck)

    def _no_dependents(self, ctx: RuleContext, obj: KubeObject, head: str,
                       waiting: list[Related]) -> Finding:
        down = [s for s in ctx.snapshot.of_kind("APIService", "apiregistration.k8s.io")
                if condition_is(s, "Available", "False")]
        message = (f"{head}, but no dependent that blocks it is in the snapshot: either its "
                   "dependents were not captured, or the garbage collector is not "
                   "processing it")
        if down:
            message += ("; the garbage collector needs discovery of every API group, and "
                        + ", ".join(f"APIService {s.name}" for s in down) + " is unavailable")
        index = obj.finalizers.index(FOREGROUND)
        return self.finding(obj, at=f"/metadata/finalizers/{index}", message=message,
                            severity=Severity.WARNING,
                            related=[*(related(s, "blocked-by") for s in down), *waiting],
                            fix=finalizer_fix(obj, index))


def _pointer(obj: KubeObject) -> str:
    return f"/metadata/finalizers/{obj.finalizers.index(FOREGROUND)}"


def _describe(obj: KubeObject, now: datetime) -> str:
    parts: list[str] = []
    deleted = obj.deletion_timestamp
    if deleted is None:
        parts.append("not deleted yet by the garbage collector")
    else:
        parts.append(f"deleting for {format_duration(now - deleted)}")
        own = [f for f in obj.finalizers if f != FOREGROUND]
        if own:
            parts.append("finalizer " + ", ".join(repr(f) for f in own))
        elif not obj.finalizers:
            parts.append("no finalizer left")
    parts.extend(object_reports(obj)[:1])
    return f"{obj.ref.short} ({', '.join(parts)})"
