"""Condition helpers the status rules share: which conditions claim health, and when an
object counts as failed. Conditions are read through the rule API's one view
(``kaudit.rules.conditions``), so per-parent, per-listener and health-field shapes count too."""

from __future__ import annotations

from collections.abc import Iterator

from kaudit.rules import Condition, KubeObject, conditions

HEALTH_TYPES: tuple[str, ...] = ("Ready", "Synced", "Available", "Programmed", "Healthy")
"""Condition types whose ``True`` means "this object is working" (``Healthy`` is Argo CD's
``status.health.status``)."""

FAILED_REASONS: frozenset[str] = frozenset({
    "ReconcileError", "Failed", "Error", "CrashLoopBackOff", "ImagePullBackOff",
    "ErrImagePull", "CreateContainerConfigError", "ReconcileFailed", "Degraded",
})


def true_health_conditions(obj: KubeObject,
                           types: tuple[str, ...] = HEALTH_TYPES) -> Iterator[Condition]:
    """Each condition of ``types`` (in any scope) whose status is ``True``."""
    for cond in conditions(obj):
        if cond.type in types and cond.is_true:
            yield cond


def describe(cond: Condition) -> str:
    """``Ready=True (Available)``: type, status, reason and whose condition it is, never the
    free-text message."""
    return cond.describe()


def failure(obj: KubeObject) -> str | None:
    """Why ``obj`` counts as failed, or ``None``: a health condition that is ``False`` with a
    failure reason (an ``Unknown`` or a ``False`` while creating is progress, not failure),
    ``Failed=True`` (Jobs), ``Stalled=True`` (kstatus: Flux and other controllers that gave
    up), Argo CD health ``Degraded``, or a phase of ``Failed``."""
    for cond in conditions(obj):
        if cond.type in ("Failed", "Stalled") and cond.is_true:
            return cond.describe()
        if cond.type not in HEALTH_TYPES or cond.status != "False":
            continue
        reason = cond.reason
        if reason in FAILED_REASONS or reason.endswith(("Error", "Failed", "Failure")):
            return cond.describe()
    phase = obj.status.get("phase")
    if phase == "Failed":
        return "phase Failed"
    return None
