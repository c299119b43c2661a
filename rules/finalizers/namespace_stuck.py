"""Namespaces stuck Terminating."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from kaudit.rules import (
    Family,
    Finding,
    KubeObject,
    ObjectKey,
    Related,
    Rule,
    RuleContext,
    Severity,
    format_duration,
    format_time,
    related,
)

# kube-controller-manager's namespace deleter (pkg/controller/namespace/deletion) writes these
# five condition types; True means "this is what blocks deletion".
CONDITION_TYPES = (
    "NamespaceDeletionDiscoveryFailure",       # DiscoveryFailed
    "NamespaceDeletionGroupVersionParsingFailure",  # GroupVersionParsingFailed
    "NamespaceDeletionContentFailure",         # ContentDeletionFailed
    "NamespaceContentRemaining",               # SomeResourcesRemain
    "NamespaceFinalizersRemaining",            # SomeFinalizersRemain
)
# "...: metrics.k8s.io/v1beta1: stale GroupVersion discovery: metrics.k8s.io/v1beta1"
_GROUP_VERSION = re.compile(r"\b([a-z0-9-]+(?:\.[a-z0-9-]+)+)/(v[0-9]+(?:(?:alpha|beta)[0-9]+)?)\b")
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
    finish while any aggregated API cannot be listed, even when the namespace is empty.
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
            conditions = {str(c.get("type")): c for c in ns.conditions}
            failing = [conditions[t] for t in CONDITION_TYPES
                       if str(conditions.get(t, {}).get("status")) == "True"]
            for cond in failing:
                parts.append(f"{cond.get('reason') or cond.get('type')}: "
                             f"{cond.get('message') or ''}".rstrip(": "))
            discovery = conditions.get("NamespaceDeletionDiscoveryFailure")
            if discovery is not None and str(discovery.get("status")) == "True":
                text, services = self._discovery(ctx, discovery)
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
            elif not failing:
                parts.append("no deletion condition reports a failure and no content is in "
                             "the snapshot: check kube-controller-manager's namespace "
                             "controller")
            else:
                parts.append("no content of it is in the snapshot")
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

    def _discovery(self, ctx: RuleContext, cond: Mapping[str, Any]
                   ) -> tuple[str, list[KubeObject]]:
        message = str(cond.get("message") or "")
        versions = sorted(set(_GROUP_VERSION.findall(message)))
        services: list[KubeObject] = []
        notes: list[str] = []
        for group, version in versions:
            name = f"{version}.{group}"
            svc = ctx.snapshot.get(_apiservice_key(name))
            if svc is None:
                read = ctx.snapshot.was_read("apiregistration.k8s.io", "APIService")
                notes.append(f"{group}/{version}: APIService {name} "
                             + ("is absent" if read else "was not in the inputs"))
                continue
            available = svc.condition("Available")
            if available is not None and str(available.get("status")) == "False":
                services.append(svc)
                reason = available.get("reason") or "unavailable"
                detail = available.get("message") or ""
                notes.append(f"discovery of {group}/{version} fails because APIService {name} "
                             f"is unavailable ({reason}: {detail})".replace(": )", ")"))
            else:
                notes.append(f"{group}/{version}: APIService {name} reports Available="
                             f"{available.get('status') if available else 'unknown'}")
        if not versions:
            notes.append("the failing API group is not named in the condition message")
        return "; ".join(notes), services


def _apiservice_key(name: str) -> ObjectKey:
    return ObjectKey("apiregistration.k8s.io", "APIService", "", name)
