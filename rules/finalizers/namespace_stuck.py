"""Namespaces stuck Terminating."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from kaudit.finalizers import GC_FINALIZERS, LIVENESS_READS, served_groups, view
from kaudit.finalizers.namespaces import discovery_blockers, failing_conditions
from kaudit.rules import (
    Family,
    Finding,
    KubeObject,
    Related,
    Rule,
    RuleContext,
    Severity,
    format_duration,
    format_time,
    related,
)
from kaudit_rules.finalizers.common import describe_view, events_about

_MAX_NAMED = 10
_SKIP_KINDS = {("", "Event"), ("events.k8s.io", "Event")}


class NamespaceStuck(Rule):
    """A namespace has been Terminating longer than ``grace``; says what holds it.

    Deleting a namespace deletes everything in it first; until that is done the namespace
    stays Terminating and nothing new can be created in it. The namespace controller records
    why in five conditions (``NamespaceDeletionDiscoveryFailure``,
    ``NamespaceDeletionGroupVersionParsingFailure``, ``NamespaceDeletionContentFailure``,
    ``NamespaceContentRemaining``, ``NamespaceFinalizersRemaining``). The finding quotes the
    ones that are True, lists the content still in the snapshot with its finalizers, and ties
    a discovery failure to the unavailable APIService behind it: the controller will not
    finish while any aggregated API cannot be listed, even when the namespace is empty. A
    finalizer in the namespace's own ``metadata.finalizers`` (not the ``spec.finalizers``
    ``kubernetes`` entry the namespace controller owns), such as Rancher's
    ``controller.cattle.io/namespace-auth``, is another controller's promise: the finding names
    that controller from the finalizer catalogue (as FN001 does) and whether it looks alive,
    instead of sending you to kube-controller-manager.
    Fix: repair or delete the unavailable APIService (a discovery failure), or resolve the
    finalizers of the remaining objects (FN001/FN002 on them name their controllers); for a
    ``metadata.finalizers`` entry, restore its controller (FN001 on the namespace prints the
    guarded patch for when its cleanup is done or unnecessary). Do not strip the namespace's
    own ``kubernetes`` finalizer: whatever is still inside stays in etcd.
    """

    code = "FN004"
    name = "namespace-stuck"
    family = Family.FINALIZERS
    severity = Severity.ERROR
    reads = LIVENESS_READS

    @dataclass(frozen=True)
    class Options:
        grace: timedelta = timedelta(minutes=15)

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        groups: dict[str, str] | None = None
        for ns in ctx.objects("Namespace", ""):
            deleted_at = ns.deletion_timestamp
            if deleted_at is None:
                continue
            age = ctx.now - deleted_at
            if age < ctx.options.grace:
                continue
            parts: list[str] = []
            rels: list[Related] = []
            held_by = [(i, f) for i, f in enumerate(ns.finalizers) if f not in GC_FINALIZERS]
            if held_by:
                if groups is None:
                    groups = served_groups(ctx.snapshot)
                text, owed = self._own_finalizers(ctx, ns, held_by, groups)
                parts.append(text)
                rels.extend(owed)
            failing = failing_conditions(ns)
            for cond in failing:
                parts.append(f"{cond.get('reason') or cond.get('type')}: "
                             f"{cond.get('message') or ''}".rstrip(": "))
            if any(c.get("type") == "NamespaceDeletionDiscoveryFailure" for c in failing):
                text, services = self._discovery(ctx, ns)
                parts.append(text)
                rels.extend(related(s, "blocked-by") for s in services)
            remaining = [o for o in ctx.snapshot.in_namespace(ns.name)
                         if (o.group, o.kind) not in _SKIP_KINDS]
            with_finalizers = [o for o in remaining if o.finalizers]
            if with_finalizers:
                named = ", ".join(f"{o.ref.short} [{', '.join(o.finalizers)}]"
                                  for o in with_finalizers[:_MAX_NAMED])
                extra = len(with_finalizers) - _MAX_NAMED
                parts.append(f"objects in the snapshot still holding finalizers: {named}"
                             + (f" and {extra} more" if extra > 0 else ""))
                rels.extend(related(o, "remaining") for o in with_finalizers[:_MAX_NAMED])
            elif remaining:
                parts.append(f"{len(remaining)} object(s) of it still in the snapshot, none "
                             "with a finalizer")
            elif not failing and not held_by:
                parts.append("no deletion condition reports a failure and no content is in "
                             "the snapshot: check kube-controller-manager's namespace "
                             "controller")
            else:
                parts.append("no content of it is in the snapshot")
            own = ns.spec.get("finalizers")
            held = f" (spec.finalizers {own})" if isinstance(own, list) and own else ""
            at = "/status/conditions" if failing else "/metadata/deletionTimestamp"
            if held_by and not failing:
                at = f"/metadata/finalizers/{held_by[0][0]}"
            yield self.finding(
                ns,
                at=at,
                message=f"Terminating for {format_duration(age)} (since "
                        f"{format_time(deleted_at)}){held}: " + "; ".join(parts),
                related=rels,
                evidence={"conditions": ",".join(str(c.get("type")) for c in failing)},
            )

    @staticmethod
    def _own_finalizers(ctx: RuleContext[Options], ns: KubeObject,
                        held_by: list[tuple[int, str]],
                        groups: dict[str, str]) -> tuple[str, list[Related]]:
        """The namespace's own ``metadata.finalizers``: controllers other than the namespace
        deleter hold it (an empty ``spec.finalizers`` says the deleter is already done); each
        one's owner from the catalogue (or the CRD/APIService group its domain names), and
        whether it looks alive."""
        events = events_about(ctx, ns)
        notes: list[str] = []
        rels: list[Related] = []
        for index, finalizer in held_by:
            fv = view(ns, index, ctx.snapshot, ctx.now, groups, events)
            text, evidence = describe_view(fv)
            notes.append(f"{finalizer!r} {text}")
            rels.extend(evidence)
        done = ns.spec.get("finalizers")
        finished = (" (spec.finalizers is empty: the namespace controller has finished)"
                    if isinstance(done, list) and not done else "")
        return f"held by its own metadata.finalizers{finished}: " + "; ".join(notes), rels

    def _discovery(self, ctx: RuleContext, ns: KubeObject) -> tuple[str, list[KubeObject]]:
        notes: list[str] = []
        services: list[KubeObject] = []
        blockers = discovery_blockers(ns, ctx.snapshot)
        for b in blockers:
            gv = f"{b.group}/{b.version}"
            down = b.unavailable
            if b.apiservice is None:
                read = ctx.snapshot.was_read("apiregistration.k8s.io", "APIService")
                notes.append(f"{gv}: APIService {b.name} "
                             + ("is absent" if read else "was not in the inputs"))
            elif down is not None:
                services.append(b.apiservice)
                detail = f": {down['message']}" if down.get("message") else ""
                notes.append(f"discovery of {gv} fails because APIService {b.name} is "
                             f"unavailable ({down.get('reason') or 'Available=False'}{detail})")
            else:
                notes.append(f"{gv}: APIService {b.name} does not report Available=False "
                             "(it may have recovered; the condition is from the last attempt)")
        if not blockers:
            notes.append("the failing API group is not named in the condition message")
        return "; ".join(notes), services
