"""Healthy conditions that newer Warning events contradict."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kaudit.rules import (
    Family,
    Finding,
    KubeObject,
    ObjectKey,
    Rule,
    RuleContext,
    Severity,
    conditions,
    format_duration,
    format_time,
    maybe_time,
    related,
)
from kaudit_rules.status.events import (
    WHOLE_EVENTS,
    component,
    event_time,
    event_type,
    reason,
)

ABOUT = "about"  # Event -> object (kaudit.graph.edges.events)
# What an object depends on for its own health: attached Kong plugins, composed resources.
DEPENDS_ON = ("plugin", "composes", "composite")
CONDITION_TYPES = ("Ready", "Programmed", "Synced", "Accepted")
"""Claims of a working configuration; Gateway API routes make them per parent Gateway
(``status.parents[].conditions``), which the condition view reads like any other."""
_MAX_EVENTS = 3


@dataclass(frozen=True)
class Controller:
    """Which Warning events of a controller mean "this object's configuration failed", and
    which Normal event marks a full success (after which earlier failures are resolved)."""

    name: str
    component: str
    failures: frozenset[str]
    success: str = ""
    component_prefix: bool = False

    def wrote(self, event: KubeObject) -> bool:
        source = component(event)
        return source.startswith(self.component) if self.component_prefix \
            else source == self.component


CONTROLLERS: tuple[Controller, ...] = (
    Controller(
        "Kong Ingress Controller", "kong-client",
        frozenset({"KongConfigurationTranslationFailed", "KongConfigurationApplyFailed",
                   "FallbackKongConfigurationTranslationFailed",
                   "FallbackKongConfigurationApplyFailed"}),
        success="KongConfigurationSucceeded"),
    Controller(
        "Crossplane managed-resource reconciler", "managed/",
        frozenset({"CannotConnectToProvider", "CannotObserveExternalResource",
                   "CannotCreateExternalResource", "CannotUpdateExternalResource",
                   "CannotDeleteExternalResource", "CannotPublishConnectionDetails",
                   "CannotResolveResourceReferences", "CannotInitializeManagedResource",
                   "CannotUpdateManagedResource"}),
        component_prefix=True),
)


def controller_of(event: KubeObject) -> Controller | None:
    if event_type(event) != "Warning":
        return None
    for controller in CONTROLLERS:
        if controller.wrote(event) and reason(event) in controller.failures:
            return controller
    return None


def last_success(ctx: RuleContext[Any], controller: Controller) -> datetime | None:
    """The newest full-success event of ``controller`` anywhere in the snapshot."""
    if not controller.success:
        return None
    latest: datetime | None = None
    for kind, group in (("Event", ""), ("Event", "events.k8s.io")):
        for event in ctx.objects(kind, group):
            if reason(event) == controller.success and event_type(event) == "Normal" \
                    and controller.wrote(event):
                when = event_time(event)
                if when is not None and (latest is None or when > latest):
                    latest = when
    return latest


def _affected(ctx: RuleContext[Any]) -> set[ObjectKey]:
    """Objects a known controller's Warning event is about, and the objects depending on
    them: the only ones whose conditions can be contradicted (found from the events, so the
    rule costs nothing on a cluster without such events)."""
    subjects: set[ObjectKey] = set()
    for kind, group in (("Event", ""), ("Event", "events.k8s.io")):
        for event in ctx.objects(kind, group):
            if controller_of(event) is not None:
                subjects.update(link.key for link in ctx.graph.outgoing(event.key, ABOUT))
    affected = set(subjects)
    for key in subjects:
        for relation in DEPENDS_ON:
            affected.update(link.key for link in ctx.graph.incoming(key, relation))
    return affected


class ConditionContradicted(Rule):
    """A True Ready/Programmed/Synced/Accepted condition contradicted by a newer Warning event.

    Controllers set Ready once and may not take it back: KIC marks an Ingress or KongPlugin
    ``Programmed=True`` and keeps it while later pushes to Kong fail (with the fallback
    configuration, the object may be excluded from what Kong runs), and a managed resource can
    stay ``Synced=True`` while its provider now fails. kaudit reads the Warning events a known
    controller writes about the object itself or about something it depends on (a KongPlugin
    named in ``konghq.com/plugins``, a composed resource), and flags the condition when such
    an event is newer than both the condition's ``lastTransitionTime`` and the controller's
    last full success (KIC's ``KongConfigurationSucceeded``). Conditions are read wherever
    the API puts them: an HTTPRoute (GRPCRoute, TLSRoute, TCPRoute, UDPRoute) reports
    ``Accepted``/``Programmed`` per parent Gateway in ``status.parents[].conditions``, and the
    finding points at that parent's condition. Events are matched on
    type, reason, involved object and source component -- never on message text.
    Fix: read the events (``kubectl events --for KIND/NAME``) and fix the object or plugin
    they name; do not trust the condition until the controller reports a full success.
    """

    code = "ST007"
    name = "condition-contradicted"
    family = Family.STATUS
    severity = Severity.WARNING
    reads = WHOLE_EVENTS

    def check(self, ctx: RuleContext[Any]) -> Iterator[Finding]:
        successes = {c.name: last_success(ctx, c) for c in CONTROLLERS}
        for key in sorted(_affected(ctx), key=str):
            obj = ctx.get(key)
            if obj is None or obj.deletion_timestamp is not None:
                continue
            claims = [c for c in conditions(obj) if c.type in CONDITION_TYPES and c.is_true]
            if not claims:
                continue
            evidence = list(self._warnings(ctx, obj))
            if not evidence:
                continue
            for cond in claims:
                since = maybe_time(cond.last_transition)
                newer = [(e, subject, when, ctl) for e, subject, when, ctl in evidence
                         if (since is None or when > since)
                         and (successes[ctl.name] is None or when > successes[ctl.name])]
                if not newer:
                    continue
                event, subject, when, ctl = max(newer, key=lambda n: (n[2], n[0].name))
                about = "it" if subject is obj else f"{subject.kind} {subject.name} it uses"
                success = successes[ctl.name]
                after = (f", after {ctl.name}'s last full success at {format_time(success)}"
                         if success else "")
                yield self.finding(
                    obj, at=cond.pointer,
                    message=f"reports {cond.describe()}"
                            + (f" since {format_time(since)}" if since else "")
                            + f", but {ctl.name} reported Warning {reason(event)} about {about} "
                              f"at {format_time(when)} ({format_duration(ctx.now - when)} ago)"
                            + after
                            + (f"; {len(newer)} such events" if len(newer) > 1 else ""),
                    related=self._related(obj, subject, newer),
                    evidence={"reason": reason(event), "component": component(event)},
                )

    @staticmethod
    def _related(obj: KubeObject, subject: KubeObject,
                 newer: list[tuple[KubeObject, KubeObject, datetime, Any]]) -> list[Any]:
        """The dependency the newest event is about, and the newest few events."""
        out = [related(subject, "dependency")] if subject is not obj else []
        latest = sorted(newer, key=lambda n: (n[2], n[0].name), reverse=True)[:_MAX_EVENTS]
        out.extend(related(e, "event") for e, *_ in latest)
        return out

    @staticmethod
    def _warnings(ctx: RuleContext[Any], obj: KubeObject,
                  ) -> Iterator[tuple[KubeObject, KubeObject, datetime, Controller]]:
        subjects: list[KubeObject] = [obj]
        for relation in DEPENDS_ON:
            subjects.extend(link.obj for link in ctx.graph.outgoing(obj.key, relation)
                            if link.obj is not None)
        for subject in subjects:
            for link in ctx.graph.incoming(subject.key, ABOUT):
                event = link.obj
                if event is None or not _same_object(event, subject):
                    continue
                controller = controller_of(event)
                when = event_time(event)
                if controller is not None and when is not None:
                    yield event, subject, when, controller


def _same_object(event: KubeObject, subject: KubeObject) -> bool:
    """An event names its object's uid when it has one: an event about an earlier object of
    the same name is not about this one."""
    ref: Mapping[str, Any] = event.raw.get("involvedObject") or event.raw.get("regarding") or {}
    uid = ref.get("uid") if isinstance(ref, dict) else None
    return not uid or not subject.uid or uid == subject.uid
