"""Condition helpers the status rules share: which conditions claim health, and how to name
them in a message."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kaudit.rules import KubeObject

HEALTH_TYPES: tuple[str, ...] = ("Ready", "Synced", "Available", "Programmed")
"""Condition types whose ``True`` means "this object is working"."""

FAILED_REASONS: frozenset[str] = frozenset({
    "ReconcileError", "Failed", "Error", "CrashLoopBackOff", "ImagePullBackOff",
    "ErrImagePull", "CreateContainerConfigError", "ReconcileFailed",
})


def true_health_conditions(obj: KubeObject,
                           types: tuple[str, ...] = HEALTH_TYPES,
                           ) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Each ``(index, condition)`` of ``types`` whose status is ``True``."""
    for i, cond in obj.iter_conditions_with_index():
        if cond.get("type") in types and str(cond.get("status")) == "True":
            yield i, cond


def describe(cond: Mapping[str, Any]) -> str:
    """``Ready=True (Available)``: type, status and reason, never the free-text message."""
    text = f"{cond.get('type')}={cond.get('status')}"
    reason = cond.get("reason")
    return f"{text} ({reason})" if reason else text


def failure(obj: KubeObject) -> str | None:
    """Why ``obj`` counts as failed, or ``None``: a health condition that is ``False`` with a
    failure reason (an ``Unknown`` or a ``False`` while creating is progress, not failure),
    ``Failed=True`` (Jobs), or a phase of ``Failed``."""
    for cond in obj.conditions:
        if cond.get("type") == "Failed" and str(cond.get("status")) == "True":
            return describe(cond)
        if cond.get("type") not in HEALTH_TYPES or str(cond.get("status")) != "False":
            continue
        reason = str(cond.get("reason") or "")
        if reason in FAILED_REASONS or reason.endswith(("Error", "Failed", "Failure")):
            return describe(cond)
    phase = obj.status.get("phase")
    if phase == "Failed":
        return "phase Failed"
    return None
