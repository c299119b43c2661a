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


FAILED_TYPES: tuple[str, ...] = ("Failed", "Stalled", "Denied", "InvalidRequest")
"""Condition types whose ``True`` means failed: Jobs' ``Failed``, kstatus ``Stalled`` (Flux
and other controllers that gave up), ``Denied`` (CertificateSigningRequests and cert-manager
CertificateRequests) and cert-manager's ``InvalidRequest``."""

NEGATED_TYPES: tuple[str, ...] = ("NotReady",)
"""Condition types whose ``True`` is another project's ``Ready=False``: Strimzi writes
``NotReady=True`` with the exception's class name as the reason when a reconcile fails
(``InvalidResourceException``), and with ``Creating`` while it deploys (progress)."""

FAILED_REASON_SUFFIXES: tuple[str, ...] = ("Error", "Failed", "Failure", "Exception")
"""A reason ending so names a failure (``ReconcileError``, ``UpgradeFailed``, Strimzi's
``InvalidResourceException``)."""

FAILED_PHASES: frozenset[str] = frozenset({"Failed", "Error"})
"""``status.phase`` values that mean failed: ``Failed`` (Pods, Velero, kcp migrations...)
and ``Error`` (Argo Workflows)."""


def failure(obj: KubeObject) -> str | None:
    """Why ``obj`` counts as failed, or ``None``: a health condition that is ``False`` (or
    Strimzi's ``NotReady=True``) with a failure reason (an ``Unknown`` or a ``False`` while
    creating is progress, not failure),
    one of ``FAILED_TYPES`` True, a health field whose value its project defines as failed
    (Argo CD ``Degraded``, Rook ``Failure``, Longhorn ``faulted``, ACME ``errored``...), or a
    phase in ``FAILED_PHASES``."""
    for cond in conditions(obj):
        if cond.failing or (cond.type in FAILED_TYPES and cond.is_true):
            return cond.describe()
        unhealthy = (cond.type in HEALTH_TYPES and cond.status == "False") or \
            (cond.type in NEGATED_TYPES and cond.is_true)
        if not unhealthy:
            continue
        reason = cond.reason
        if reason in FAILED_REASONS or reason.endswith(FAILED_REASON_SUFFIXES):
            return cond.describe()
    phase = obj.status.get("phase")
    if isinstance(phase, str) and phase in FAILED_PHASES:
        return f"phase {phase}"
    return None
