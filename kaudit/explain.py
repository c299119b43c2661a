"""The triage tree for one object: why it is stuck, down to the leaf blockers.

``kaudit explain`` answers the on-call question "what is this deletion waiting for?" in one
screen: the object's owners up to the root, its dependents down to the leaves (owner references,
Crossplane claim -> composite -> composed resources, a namespace's content), and for every node
its deletion age, each finalizer with the controller that owes it and whether that controller
looks alive, its key conditions and latest Warning events. Leaf blockers are marked, and for
each of their finalizers a ``test``-guarded RFC 6902 patch and the equivalent ``kubectl patch``
line are built, with a plain warning of what skipping that finalizer leaves behind. Nothing is
ever applied.

Everything here is data (frozen dataclasses with ``to_json``); the CLI only renders it, so the
table and the JSON always say the same thing.
"""

from __future__ import annotations

import copy
import difflib
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import jsonpatch
import orjson

from kaudit.finalizers import GC_FINALIZERS, FinalizerView, State, served_groups, view
from kaudit.finalizers.namespaces import discovery_blockers
from kaudit.graph import ClusterGraph
from kaudit.kinds import BUILTIN_CLUSTER_SCOPED, BUILTIN_NAMESPACED
from kaudit.model import ObjectKey, ObjectRef
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.timeutil import format_duration, format_time, maybe_time

KEY_CONDITIONS = ("Ready", "Synced", "Available", "Established", "Healthy", "Progressing")
MAX_CHILDREN = 50
MAX_DEPTH = 12
MAX_EVENTS = 3
_EVENT_KINDS = {("", "Event"), ("events.k8s.io", "Event")}
DISCOVERY_RELATION = "discovery blocked by"


class NotFound(LookupError):
    """No object (or more than one) matches ``KIND/NAME``; the message lists candidates."""


# ---- finding the object -------------------------------------------------------------------
def _kind_names(snapshot: Snapshot) -> dict[tuple[str, str], set[str]]:
    """(group, kind) -> every lower-case name kubectl would accept for it."""
    names: dict[tuple[str, str], set[str]] = {}
    for group, kind in snapshot.kinds():
        names.setdefault((group, kind), set()).update({kind.lower(), kind.lower() + "s"})
    for crd in snapshot.of_kind("CustomResourceDefinition", "apiextensions.k8s.io"):
        spec_names = crd.spec.get("names")
        group = crd.spec.get("group")
        if not isinstance(spec_names, dict) or not isinstance(group, str):
            continue
        kind = str(spec_names.get("kind") or "")
        accepted = {str(spec_names.get(k) or "").lower() for k in ("plural", "singular", "kind")}
        accepted.update(str(s).lower() for s in spec_names.get("shortNames") or [])
        names.setdefault((group, kind), set()).update(a for a in accepted if a)
    return names


def resolve(snapshot: Snapshot, target: str, namespace: str | None) -> KubeObject:
    """``userrole/alice``, ``userroles.platform.example.org/alice``, ``ns/payments``..."""
    if "/" not in target:
        raise NotFound(f"{target!r}: write KIND/NAME (e.g. deployment/web)")
    kind_text, name = target.split("/", 1)
    kind_text = kind_text.lower()
    aliases = {"ns": "namespace", "deploy": "deployment", "rs": "replicaset", "po": "pod",
               "cm": "configmap", "pvc": "persistentvolumeclaim", "pv": "persistentvolume",
               "crd": "customresourcedefinition", "svc": "service", "sts": "statefulset"}
    kind_text = aliases.get(kind_text, kind_text)
    word, _, group_hint = kind_text.partition(".")
    known = _kind_names(snapshot)
    kinds = [gk for gk, accepted in known.items()
             if word in accepted and (not group_hint or gk[0].lower() == group_hint)]
    if not kinds:
        raise NotFound(_no_such_kind(snapshot, known, word, group_hint, name, namespace))
    found = [o for gk in sorted(kinds) for o in snapshot.of_kind(gk[1], gk[0])
             if o.name == name and (namespace is None or o.namespace in (namespace, ""))]
    if namespace is None and len({o.namespace for o in found}) > 1:
        where = ", ".join(sorted(f"{o.namespace}/{o.name}" for o in found))
        raise NotFound(f"{target!r} is ambiguous ({where}): add -n NAMESPACE")
    if len({(o.group, o.kind) for o in found}) > 1:
        which = ", ".join(sorted(f"{o.kind}.{o.group}" if o.group else o.kind for o in found))
        raise NotFound(f"{target!r} matches several kinds ({which}): write KIND.GROUP/NAME")
    if not found:
        where = f" in namespace {namespace}" if namespace else ""
        spelled = " or ".join(sorted({_spelled(gk) for gk in kinds}))
        raise NotFound(f"no {spelled} named {name!r}{where} {_read_from(snapshot)}")
    return found[0]


def _spelled(group_kind: tuple[str, str]) -> str:
    """A kind as the API spells it (``Service``, not ``service``), for messages."""
    return group_kind[1]


def _no_such_kind(snapshot: Snapshot, known: dict[tuple[str, str], set[str]], word: str,
                  group_hint: str, name: str, namespace: str | None) -> str:
    """No kind of the inputs answers to ``word``: a built-in kind the inputs simply lack
    (say so, spelled as the API spells it), or a kind nobody knows (say that, and suggest)."""
    where = f" in namespace {namespace}" if namespace else ""
    builtin = {n: gk for gk in sorted(BUILTIN_CLUSTER_SCOPED | BUILTIN_NAMESPACED)
               for n in (gk[1].lower(), gk[1].lower() + "s")
               if not group_hint or gk[0].lower() == group_hint}
    if word in builtin:
        kind = _spelled(builtin[word])
        return (f"no {kind} named {name!r}{where} {_read_from(snapshot)}: they hold no "
                f"{kind} at all")
    names = sorted({n for accepted in known.values() for n in accepted} | set(builtin))
    close = difflib.get_close_matches(word, names, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else (
        " (kinds are written as kubectl accepts them: deployment, deploy, "
        "widgets.example.org…)")
    typed = f"{word}.{group_hint}" if group_hint else word
    return (f"unknown kind {typed!r}: no kind, plural or short name {typed!r} "
            f"{_read_from(snapshot)} or in the built-in API{hint}")


def _read_from(snapshot: Snapshot) -> str:
    """Where "not found" looked: on-call must know it was the cluster they meant."""
    live = [s for s in snapshot.sources if s.type == "live"]
    if live:
        return f"in the cluster (context {live[0].context or live[0].server})"
    return "in the inputs"


# ---- the data -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Remedy:
    """One finalizer removal: printed for a human to decide, never applied."""

    object: ObjectRef
    finalizer: str
    patch: tuple[dict[str, Any], ...]
    kubectl: str
    leaves_behind: str
    caution: str

    def to_json(self) -> dict[str, Any]:
        return {"object": self.object.to_json(), "finalizer": self.finalizer,
                "patch": list(self.patch), "kubectl": self.kubectl,
                "leavesBehind": self.leaves_behind, "caution": self.caution}


@dataclass(frozen=True)
class Node:
    ref: ObjectRef
    relation: str
    """How this node hangs under its parent (``owner-of``, ``dependent``, ``composite``...)."""
    present: bool = True
    deleting_since: datetime | None = None
    deleting_for: timedelta | None = None
    finalizers: tuple[FinalizerView, ...] = ()
    conditions: tuple[dict[str, str], ...] = ()
    events: tuple[str, ...] = ()
    target: bool = False
    blocker: bool = False
    note: str = ""
    children: tuple[Node, ...] = ()
    more: int = 0

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"object": self.ref.to_json(), "relation": self.relation,
                               "present": self.present}
        if self.target:
            out["target"] = True
        if self.deleting_since is not None:
            out["deletingSince"] = format_time(self.deleting_since)
            out["deletingFor"] = format_duration(self.deleting_for or timedelta())
        out["finalizers"] = [f.to_json() for f in self.finalizers]
        out["conditions"] = list(self.conditions)
        out["events"] = list(self.events)
        out["blocker"] = self.blocker
        if self.note:
            out["note"] = self.note
        out["children"] = [c.to_json() for c in self.children]
        if self.more:
            out["moreChildren"] = self.more
        return out


@dataclass(frozen=True)
class Explanation:
    target: ObjectRef
    now: datetime
    path: tuple[ObjectRef, ...]
    """Root owner first, the target last."""
    tree: Node
    blockers: tuple[ObjectRef, ...]
    remedies: tuple[Remedy, ...]
    verdict: str
    sources: tuple[dict[str, Any], ...] = field(default=())
    now_is_clock: bool = False
    """``now`` came from the wall clock: the JSON says null, as ``scan``'s report does."""

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "now": None if self.now_is_clock else format_time(self.now),
            "sources": list(self.sources),
            "target": self.target.to_json(),
            "verdict": self.verdict,
            "path": [r.to_json() for r in self.path],
            "tree": self.tree.to_json(),
            "blockers": [r.to_json() for r in self.blockers],
            "remediation": [r.to_json() for r in self.remedies],
        }

    def to_json_text(self) -> str:
        return orjson.dumps(self.to_json(), option=orjson.OPT_INDENT_2).decode() + "\n"


# ---- walking the graph ----------------------------------------------------------------------
def up_links(graph: ClusterGraph, key: ObjectKey) -> list[tuple[ObjectKey, str]]:
    """Who this object belongs to: owners, a composite's claim."""
    found: dict[ObjectKey, str] = {}
    links = sorted(graph.outgoing(key, "owner"),
                   key=lambda lk: (not lk.attrs.get("controller"), lk.key))
    for link in links:
        found.setdefault(link.key, "owner")
    for link in graph.outgoing(key, "claim"):
        found.setdefault(link.key, "claim")
    for link in graph.incoming(key, "composite"):
        found.setdefault(link.key, "claim")
    return list(found.items())


def down_links(graph: ClusterGraph, key: ObjectKey) -> list[tuple[ObjectKey, str]]:
    """What this object's deletion has to get through: dependents, a claim's composite, a
    composite's composed resources, a namespace's top-level content."""
    found: dict[ObjectKey, str] = {}
    for link in sorted(graph.incoming(key, "owner"), key=lambda lk: lk.key):
        found.setdefault(link.key, "dependent (blocks owner deletion)"
                         if link.attrs.get("blockOwnerDeletion") else "dependent")
    for link in sorted(graph.outgoing(key, "composite"), key=lambda lk: lk.key):
        found.setdefault(link.key, "composite")
    for link in sorted(graph.outgoing(key, "composes"), key=lambda lk: lk.key):
        found.setdefault(link.key, "composed")
    if key.kind == "APIService" and key.group == "apiregistration.k8s.io":
        for link in graph.outgoing(key, "backed-by"):
            found.setdefault(link.key, "backed by")
    if key.kind == "Namespace" and not key.group:
        namespace = graph.node(key)
        if namespace is not None:
            for blocker in discovery_blockers(namespace, graph.snapshot):
                if blocker.apiservice is not None:
                    found.setdefault(blocker.apiservice.key, DISCOVERY_RELATION)
        for link in sorted(graph.outgoing(key, "contains"), key=lambda lk: lk.key):
            if (link.key.group, link.key.kind) in _EVENT_KINDS:
                continue
            if link.obj is not None and graph.outgoing(link.key, "owner"):
                continue  # shown under its owner
            found.setdefault(link.key, "content")
    return list(found.items())


def neighbourhood(graph: ClusterGraph, key: ObjectKey) -> set[ObjectKey]:
    """The target, its owners up to the roots, and its dependents down to the leaves."""
    seen = {key}
    stack = [key]
    while stack:
        for up, _ in up_links(graph, stack.pop()):
            if up not in seen:
                seen.add(up)
                stack.append(up)
    stack = [key]
    down: set[ObjectKey] = {key}
    while stack:
        for child, _ in down_links(graph, stack.pop()):
            if child not in down:
                down.add(child)
                stack.append(child)
    return seen | down


def _root_path(graph: ClusterGraph, key: ObjectKey) -> list[tuple[ObjectKey, str]]:
    """[(root, ""), ..., (target, relation to its parent)], following the controller owner."""
    path = [(key, "")]
    seen = {key}
    current = key
    while len(path) < MAX_DEPTH:
        ups = [(k, r) for k, r in up_links(graph, current) if k not in seen]
        if not ups:
            break
        parent, how = ups[0]
        path[-1] = (current, "composite" if how == "claim" else "dependent")
        path.append((parent, ""))
        seen.add(parent)
        current = parent
    path.reverse()
    return path


# ---- building the explanation ---------------------------------------------------------------
class _Builder:
    def __init__(self, snapshot: Snapshot, graph: ClusterGraph, now: datetime,
                 grace: timedelta) -> None:
        self.snapshot = snapshot
        self.graph = graph
        self.now = now
        self.grace = grace
        self.groups = served_groups(snapshot)

    def node(self, key: ObjectKey, relation: str, *, target: bool = False,
             children: tuple[Node, ...] = (), more: int = 0, note: str = "") -> Node:
        obj = self.graph.node(key)
        ref = self.graph.ref_of(key) or ObjectRef("", key.kind, key.namespace, key.name)
        if obj is None:
            return Node(ref, relation, present=False, target=target, children=children,
                        note=note or "not in the snapshot (gone, or not captured)")
        deleted = obj.deletion_timestamp
        events = [link.obj for link in self.graph.incoming(key, "about") if link.obj is not None]
        return Node(
            ref=ref, relation=relation, present=True, deleting_since=deleted,
            deleting_for=(self.now - deleted) if deleted else None,
            finalizers=tuple(view(obj, i, self.snapshot, self.now, self.groups, events)
                             for i in range(len(obj.finalizers))),
            conditions=tuple(_key_conditions(obj)), events=tuple(self._events(obj)),
            target=target, children=children, more=more, note=note)

    def subtree(self, key: ObjectKey, relation: str, seen: set[ObjectKey], depth: int,
                *, target: bool = False) -> Node:
        children: list[Node] = []
        links = [(k, r) for k, r in down_links(self.graph, key) if k not in seen]
        shown = links[:MAX_CHILDREN] if depth < MAX_DEPTH else []
        for child, _ in shown:
            seen.add(child)
        for child, how in shown:
            children.append(self.subtree(child, how, seen, depth + 1))
        return self.node(key, relation, target=target, children=tuple(children),
                         more=len(links) - len(shown))

    def _events(self, obj: KubeObject) -> Iterator[str]:
        events = [link.obj for link in self.graph.incoming(obj.key, "about")
                  if link.obj is not None and link.obj.raw.get("type") == "Warning"]

        def when(e: KubeObject) -> str:
            return str(e.raw.get("lastTimestamp") or e.raw.get("eventTime")
                       or e.metadata.get("creationTimestamp") or "")

        for event in sorted(events, key=lambda e: (when(e), e.name), reverse=True)[:MAX_EVENTS]:
            count = event.raw.get("count")
            times = f" x{count}" if isinstance(count, int) and count > 1 else ""
            last = maybe_time(when(event))
            at = f", last {format_time(last)}" if last else ""
            yield (f"Warning {event.raw.get('reason') or ''}{times}{at}: "
                   f"{event.raw.get('message') or ''}")


def _key_conditions(obj: KubeObject) -> Iterator[dict[str, str]]:
    for cond in obj.conditions:
        ctype = str(cond.get("type") or "")
        status = str(cond.get("status") or "")
        failing = ctype.startswith("NamespaceDeletion") or ctype.startswith("Namespace")
        if ctype in KEY_CONDITIONS or (failing and status == "True") or \
                (status == "False" and cond.get("message") and "Error" in str(cond.get("reason"))):
            out = {"type": ctype, "status": status}
            for k in ("reason", "message", "lastTransitionTime"):
                if cond.get(k):
                    out[k] = str(cond[k])
            yield out


def _mark_blockers(node: Node, grace: timedelta, held_above: bool) -> tuple[Node, bool]:
    """A blocker is a deleting node with a finalizer of its own (not the garbage collector's)
    and no blocker below it, or a node a held owner waits for that was never deleted. Returns
    the node with ``blocker`` set, and whether its subtree holds a blocker."""
    held = node.deleting_since is not None and \
        any(f.finalizer == "foregroundDeletion" for f in node.finalizers)
    new_children: list[Node] = []
    below = False
    for child in node.children:
        waits = held and child.relation in ("dependent (blocks owner deletion)", "composed",
                                            "composite")
        marked, has = _mark_blockers(child, grace, waits)
        new_children.append(marked)
        below = below or has
    own = [f for f in node.finalizers if f.finalizer not in GC_FINALIZERS]
    old = node.deleting_for is not None and node.deleting_for >= grace
    blocker = False
    if not below and node.present:
        if (old and own) or (held_above and node.deleting_since is None):
            blocker = True
        elif old and node.finalizers and not node.children:
            blocker = True  # only GC finalizers left and nothing below: the GC is not acting
        elif node.relation == DISCOVERY_RELATION and any(
                c["type"] == "Available" and c["status"] == "False" for c in node.conditions):
            blocker = True  # an unavailable aggregated API: the namespace cannot finish
    node = replace(node, children=tuple(new_children), blocker=blocker)
    return node, below or blocker


def _collect(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from _collect(child)


def explain(snapshot: Snapshot, graph: ClusterGraph, obj: KubeObject, now: datetime,
            grace: timedelta = timedelta(minutes=15)) -> Explanation:
    builder = _Builder(snapshot, graph, now, grace)
    path = _root_path(graph, obj.key)
    seen = {k for k, _ in path}
    node = builder.subtree(obj.key, path[-1][1] or "target", seen, 0, target=True)
    for key, how in reversed(path[:-1]):
        node = builder.node(key, how or "root", children=(node,))
    tree, _ = _mark_blockers(node, grace, False)
    blockers = [n for n in _collect(tree) if n.blocker]
    remedies: list[Remedy] = []
    for n in blockers:
        target_obj = snapshot.get(n.ref.key)
        if target_obj is None:
            continue
        own = [f for f in n.finalizers if f.finalizer not in GC_FINALIZERS] or list(n.finalizers)
        remedies.extend(remedy(target_obj, f) for f in own)
    refs = tuple(graph.ref_of(k) or ObjectRef("", k.kind, k.namespace, k.name) for k, _ in path)
    return Explanation(
        target=obj.ref, now=now, path=refs, tree=tree,
        blockers=tuple(n.ref for n in blockers), remedies=tuple(remedies),
        verdict=_verdict(obj, blockers, now, grace),
        sources=tuple(s.to_json() for s in snapshot.sources))


def _verdict(obj: KubeObject, blockers: list[Node], now: datetime, grace: timedelta) -> str:
    deleted = obj.deletion_timestamp
    if deleted is None and not blockers:
        return "not being deleted; nothing below it is stuck"
    if deleted is not None and now - deleted < grace and not blockers:
        return f"deleting for {format_duration(now - deleted)}: within the grace period, " \
               "work in progress"
    if not blockers:
        return "deleting, and no blocker is visible in the snapshot"
    names = ", ".join(b.ref.short for b in blockers)
    return f"blocked by {len(blockers)} leaf object(s): {names}"


# ---- remediation ----------------------------------------------------------------------------
def kubectl_resource(ref: ObjectRef) -> str:
    """``role.postgresql.sql.crossplane.io``: kind plus group, never ambiguous for kubectl."""
    return f"{ref.kind.lower()}.{ref.group}" if ref.group else ref.kind.lower()


def remedy(obj: KubeObject, fv: FinalizerView) -> Remedy:
    """The finalizer's removal as an RFC 6902 patch: ``remove`` of that index, guarded by
    ``test`` operations on the uid (not a re-created object) and on the finalizer at that
    same index (the list did not change), and checked with ``jsonpatch`` by applying it to a
    copy of the object. The ``remove`` names the index the guard tests: a diff computed by
    ``jsonpatch.make_patch`` would remove another occurrence of a repeated finalizer."""
    before = {"metadata": {"finalizers": list(obj.finalizers)}}
    after = copy.deepcopy(before)
    del after["metadata"]["finalizers"][fv.index]
    pointer = f"/metadata/finalizers/{fv.index}"
    ops: list[dict[str, Any]] = []
    if obj.uid:
        ops.append({"op": "test", "path": "/metadata/uid", "value": obj.uid})
    ops.append({"op": "test", "path": pointer, "value": fv.finalizer})
    ops.append({"op": "remove", "path": pointer})
    patched = jsonpatch.JsonPatch(ops).apply(obj.raw)  # raises if a guard does not hold
    left = patched["metadata"].get("finalizers") or []
    if left != after["metadata"]["finalizers"]:
        raise ValueError(f"patch for {fv.finalizer!r} on {obj.ref.short} does not remove it")
    body = orjson.dumps(ops).decode()
    namespace = f" -n {shlex.quote(obj.namespace)}" if obj.namespace else ""
    kubectl = (f"kubectl patch {kubectl_resource(obj.ref)} {shlex.quote(obj.name)}{namespace} "
               f"--type=json -p {shlex.quote(body)}")
    if fv.liveness.state is State.GC:
        caution = ("the garbage collector owes it: repair what stalls it (an unavailable "
                   "APIService) rather than removing it")
    elif fv.liveness.state is State.ALIVE:
        caution = ("its controller looks alive: "
                   + (fv.advice or "fix what it reports instead")
                   + "; removing the finalizer skips its cleanup")
    elif fv.liveness.state is State.GONE:
        caution = "its controller looks gone: do its cleanup by hand first"
    else:
        caution = "confirm its controller will not finish the cleanup before removing it"
    return Remedy(obj.ref, fv.finalizer, tuple(ops), kubectl, fv.leaves_behind, caution)
