"""Parents that report Ready while something they are made of has failed or is gone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from kaudit.rules import (
    NOTHING,
    Condition,
    Family,
    Finding,
    KubeObject,
    Link,
    Rule,
    RuleContext,
    Severity,
    conditions,
    format_duration,
    related,
)
from kaudit.rules.controllers import controllers
from kaudit.snapshot.candidates import CONDITIONED
from kaudit_rules.status.conditions import failure

# Relations a parent depends on (kaudit.graph.edges.crossplane): claim -> XR, XR -> composed.
REFERENCES = ("composite", "composes")
READY_TYPES = ("Ready", "Healthy")
"""What a parent says when it claims to be working (``Healthy`` is Argo CD's health)."""


def _parents(ctx: RuleContext[object]) -> set[KubeObject]:
    """Objects that are named as some object's controller or list Crossplane resource refs:
    the only ones ``_problems`` can find anything for. Looked up by kind, so only objects of
    the kinds named as controllers are visited."""
    found = _with_references(ctx)
    for kind, names in controllers(ctx.snapshot).names.items():
        found.update(obj for obj in ctx.snapshot.of_kind(kind) if obj.name in names)
    return found


def _with_references(ctx: RuleContext[object]) -> set[KubeObject]:
    """The objects whose spec (or v2 ``spec.crossplane``) lists Crossplane resource refs,
    from the snapshot's field index: asking each of 100k objects cost more than the rest of
    the rule."""
    found: set[KubeObject] = set()
    for key in ("resourceRef", "resourceRefs"):
        found.update(ctx.snapshot.having("spec", key))
    for obj in ctx.snapshot.having("spec", "crossplane"):
        crossplane = obj.spec.get("crossplane")
        if isinstance(crossplane, dict) and ("resourceRef" in crossplane
                                             or "resourceRefs" in crossplane):
            found.add(obj)
    return found


def _claims_ready(obj: KubeObject) -> Condition | None:
    """The first Ready (or Healthy) condition that is True, in any scope."""
    for cond in conditions(obj):
        if cond.type in READY_TYPES and cond.is_true:
            return cond
    return None


def _superseded(child: KubeObject, owned: list[Link]) -> bool:
    """A failed attempt the parent already replaced: a newer sibling of the same kind that has
    not failed (cert-manager keeps old CertificateRequests, CronJobs old Jobs, Argo Rollouts
    old AnalysisRuns -- history, not current health)."""
    created = child.creation_timestamp
    if created is None:
        return False
    for link in owned:
        sibling = link.obj
        if sibling is None or sibling is child or sibling.kind != child.kind:
            continue
        born = sibling.creation_timestamp
        if born is not None and born > created and failure(sibling) is None:
            return True
    return False


class ReadyOverFailedDependency(Rule):
    """A parent says Ready=True while something it owns or references is failed, deleting or
    missing.

    Ready on a parent is read as "everything under me works": a Crossplane claim or XR that is
    Ready while a composed managed resource fails to reconcile (``Synced=False`` with
    ``ReconcileError``), has been deleting longer than ``grace`` (default 15m), or no longer
    exists, hides the failure from whoever waits on the parent. Dependencies are the parent's
    controlled dependents (ownerReferences with ``controller: true``), an XR's
    ``resourceRefs`` and a claim's ``resourceRef``; "missing" is only claimed when the kind
    was read. A failed controlled dependent that a newer sibling of the same kind has
    replaced (an old CertificateRequest, Job or AnalysisRun kept as history) is not current
    health and is ignored. Failed means a health condition ``False`` with a failure reason,
    ``Failed=True``, kstatus ``Stalled=True`` (Flux and other controllers that gave up),
    ``Denied=True`` (a CertificateSigningRequest, a cert-manager CertificateRequest the
    approver refused) or cert-manager ``InvalidRequest=True``, Strimzi's ``NotReady=True``
    with a failure reason (``InvalidResourceException``), phase ``Failed`` or ``Error``,
    or a health field its project defines as failed (Argo CD ``Degraded``, Rook ``Failure``,
    Longhorn ``faulted``, ACME Order ``errored``, kaudit/data/health_fields.yaml); conditions
    are read wherever the API puts them. A parent that is itself
    being deleted is left to ST001.
    Fix: look at the failing dependency (its conditions and events) and fix it; the parent's
    controller should then report the truth on its next reconcile. A controller that keeps
    Ready=True over a failed child needs an upgrade or a bug report.
    """

    code = "ST002"
    name = "ready-over-failed-dependency"
    family = Family.STATUS
    severity = Severity.WARNING
    reads = NOTHING

    @dataclass(frozen=True)
    class Options:
        grace: timedelta = timedelta(minutes=15)

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        parents = _parents(ctx)
        for obj in ctx.snapshot.candidates(CONDITIONED):  # Ready=True is needed
            if obj not in parents:
                continue  # nothing it owns or references: no graph lookup needed
            cond = _claims_ready(obj)
            if cond is None or obj.deletion_timestamp is not None:
                continue
            problems = sorted(self._problems(ctx, obj), key=lambda p: (str(p[0].ref), p[1]))
            if not problems:
                continue
            listed = "; ".join(f"{link.ref.kind} {link.ref.name} {why}"
                               for link, why in problems)
            yield self.finding(
                obj, at=cond.pointer,
                message=f"reports {cond.describe()} while {listed}",
                related=[related(link.obj or link.ref, "dependency") for link, _ in problems],
                evidence={"dependencies": [str(link.ref) for link, _ in problems]},
            )

    def _problems(self, ctx: RuleContext[Options],
                  obj: KubeObject) -> Iterator[tuple[Link, str]]:
        owned = [link for link in ctx.dependents(obj) if link.attrs.get("controller")]
        links = list(owned)
        for relation in REFERENCES:
            links.extend(ctx.graph.outgoing(obj.key, relation))
        owned_keys = {link.key for link in owned}
        seen: set[object] = set()
        for link in links:
            if link.key in seen:
                continue
            seen.add(link.key)
            child = link.obj
            if child is not None and link.key in owned_keys and _superseded(child, owned):
                continue
            if child is None:
                if ctx.snapshot.was_read(link.ref.group, link.ref.kind):
                    yield link, "does not exist"
                continue
            deleted_at = child.deletion_timestamp
            if deleted_at is not None and ctx.now - deleted_at >= ctx.options.grace:
                yield link, f"has been deleting for {format_duration(ctx.now - deleted_at)}"
                continue
            why = failure(child)
            if why is not None:
                yield link, f"has failed ({why})"
