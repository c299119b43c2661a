"""Namespaces stuck Terminating."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from kaudit.finalizers import identify
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
    namespace can also carry finalizers of its own in ``metadata.finalizers`` (Rancher's
    ``controller.cattle.io/namespace-auth``, a Kopf operator watching namespaces): those are
    not the namespace controller's, and the finding names who owes them instead of sending
    anyone to kube-controller-manager.
    Fix: repair or delete the unavailable APIService (a discovery failure), or resolve the
    finalizers of the remaining objects (FN001/FN002 on them name their controllers). Do not
    strip the namespace's own ``kubernetes`` finalizer: whatever is still inside stays in etcd.
    """

    code = "FN004"
    name = "namespace-stuck"
    family = Family.FINALIZERS
    severity = Severity.ERROR

    @dataclass(frozen=True)
    class Options:
        grace: timedelta = timedelta(minutes=15)

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        for ns in ctx.objects("Namespace", ""):
            deleted_at = ns.deletion_timestamp
            if deleted_at is None:
                continue
            age = ctx.now - deleted_at
            if age < ctx.options.grace:
                continue
            parts: list[str] = []
            rels: list[Related] = []
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
            elif not failing and not ns.finalizers:
                parts.append("no deletion condition reports a failure and no content is in "
                             "the snapshot: check kube-controller-manager's namespace "
                             "controller")
            else:
                parts.append("no content of it is in the snapshot")
            if ns.finalizers:
                parts.append(self._own_finalizers(ctx, ns))
            own = ns.spec.get("finalizers")
            held = f" (spec.finalizers {own})" if isinstance(own, list) and own else ""
            yield self.finding(
                ns,
                at="/status/conditions" if failing else "/metadata/deletionTimestamp",
                message=f"Terminating for {format_duration(age)} (since "
                        f"{format_time(deleted_at)}){held}: " + "; ".join(parts),
                related=rels,
                evidence={"conditions": ",".join(str(c.get("type")) for c in failing)},
            )

    @staticmethod
    def _own_finalizers(ctx: RuleContext, ns: KubeObject) -> str:
        """The namespace's own ``metadata.finalizers``: controllers other than the namespace
        deleter hold it, and an empty ``spec.finalizers`` says the deleter is already done."""
        owners = "; ".join(f"{f!r} owed by {identify(f, ns, ctx.snapshot).controller}"
                           for f in ns.finalizers)
        done = ns.spec.get("finalizers")
        finished = (" (spec.finalizers is empty: the namespace controller has finished)"
                    if isinstance(done, list) and not done else "")
        return f"held by its own metadata.finalizers{finished}: {owners} (FN001 on it says " \
               "whether that controller is alive)"

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
