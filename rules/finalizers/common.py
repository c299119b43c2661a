"""Helpers the FN rules share: wording of finalizer evidence, guarded patches, and the
dependents a deletion waits for."""

from __future__ import annotations

from typing import Any

from kaudit.finalizers import FinalizerView, OwnerKind, State
from kaudit.rules import KubeObject, Related, RuleContext, related

COMPOSITE = "composite"   # Crossplane claim -> its XR
COMPOSES = "composes"     # Crossplane XR -> composed resources


def describe_view(fv: FinalizerView) -> tuple[str, list[Related]]:
    """``owed by X, which looks alive: ...; the object reports: ...`` and the objects that
    evidence names."""
    text = f"owed by {fv.owner.controller}; controller {fv.liveness.summary}"
    if fv.owner.kind is OwnerKind.UNKNOWN and fv.liveness.state is State.UNKNOWN:
        text = f"owed by {fv.owner.controller}"
    if fv.liveness.state in (State.CONTROL_PLANE, State.GC):
        text = f"owed by {fv.owner.controller} ({fv.liveness.summary})"
    if fv.reported:
        text += "; the object reports: " + "; ".join(fv.reported)
    if fv.advice:
        text += "; " + fv.advice
    rels = [related(e.ref, "evidence") for e in fv.liveness.evidence if e.ref is not None]
    return text, _unique(rels)


def finalizer_fix(obj: KubeObject, index: int) -> list[dict[str, Any]]:
    """Remove finalizer ``index``, guarded so that it fails instead of removing another
    finalizer (the list changed) or touching a re-created object of the same name."""
    pointer = f"/metadata/finalizers/{index}"
    ops: list[dict[str, Any]] = []
    if obj.uid:
        ops.append({"op": "test", "path": "/metadata/uid", "value": obj.uid})
    ops.append({"op": "test", "path": pointer, "value": obj.finalizers[index]})
    ops.append({"op": "remove", "path": pointer})
    return ops


def waiting_on(ctx: RuleContext[Any], obj: KubeObject) -> list[Related]:
    """Objects this deletion is waiting for: a claim's composite that is itself deleting."""
    out = [related(link.obj, "waits-for") for link in ctx.graph.outgoing(obj.key, COMPOSITE)
           if link.obj is not None and link.obj.deletion_timestamp is not None]
    return _unique(out)


def events_about(ctx: RuleContext[Any], obj: KubeObject) -> list[KubeObject]:
    """The Events about ``obj`` (evidence that its controller is still at work)."""
    return [link.obj for link in ctx.graph.incoming(obj.key, "about") if link.obj is not None]


def _unique(items: list[Related]) -> list[Related]:
    seen: set[tuple[str, str, str, str, str]] = set()
    out: list[Related] = []
    for r in items:
        key = (r.ref.api_version, r.ref.kind, r.ref.namespace, r.ref.name, r.role)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out
