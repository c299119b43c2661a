"""Helpers the FN rules share: wording of finalizer evidence, guarded patches, and the
dependents a deletion waits for."""

from __future__ import annotations

from typing import Any

from kaudit.finalizers import FinalizerView, OwnerKind, State
from kaudit.rules import KubeObject, Related, RuleContext, related

COMPOSITE = "composite"   # Crossplane claim -> its XR
COMPOSES = "composes"     # Crossplane XR -> composed resources
ATTACHES = "attaches"     # VolumeAttachment -> PV (kaudit.graph.edges.storage)
BOUND_TO = "bound-to"     # PV -> PVC


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


def volume_holders(ctx: RuleContext[Any], obj: KubeObject) -> tuple[str, list[Related]]:
    """What still holds a PersistentVolume: the VolumeAttachments that attach it to a node
    (the CSI attacher must detach it first) and the claim still bound to it
    (``pv-protection`` waits for that one)."""
    if obj.kind != "PersistentVolume" or obj.group:
        return "", []
    parts: list[str] = []
    rels: list[Related] = []
    for link in sorted(ctx.graph.incoming(obj.key, ATTACHES), key=lambda lk: lk.key):
        va = link.obj
        if va is None:
            continue
        node = va.get("spec", "nodeName")
        attached = va.get("status", "attached")
        state = "attached" if attached is True else "detached" if attached is False \
            else "attachment state unknown"
        deleting = ", itself deleting" if va.deletion_timestamp is not None else ""
        error = va.get("status", "detachError", "message")
        detail = f"; detach error: {error}" if isinstance(error, str) and error else ""
        parts.append(f"VolumeAttachment {va.name} still points at it (node {node}, "
                     f"{state}{deleting}{detail})")
        rels.append(related(va, "attached-by"))
    for link in ctx.graph.outgoing(obj.key, BOUND_TO):
        claim = link.obj
        if claim is not None and claim.deletion_timestamp is None and \
                claim.get("spec", "volumeName") == obj.name:
            parts.append(f"its claim {claim.namespace}/{claim.name} still exists and is bound "
                         "to it")
            rels.append(related(claim, "bound-to"))
    return "; ".join(parts), _unique(rels)


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
