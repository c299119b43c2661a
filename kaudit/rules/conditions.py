"""One view of every condition an object reports, wherever its API puts it.

``status.conditions`` is the convention, not the rule. Gateway API routes report conditions
per parent Gateway (``status.parents[].conditions``, each parent naming the controller that
wrote them), policies per ancestor (``status.ancestors[].conditions``), Gateways per listener
(``status.listeners[].conditions``), and some widely deployed controllers report health in
fields that are not conditions at all: Argo CD's ``status.health.status`` and
``status.sync.status``, Rook's ``status.phase``, Longhorn's ``status.robustness``, ACME
Orders' ``status.state`` (a table, ``kaudit/data/health_fields.yaml``), and Helm 3's release
status, a label on the Secret that stores each revision. A rule that reads only
``status.conditions`` is blind to all of those, so every condition-reading rule asks this
module instead: it yields one ``Condition`` per condition found, each carrying the JSON
pointer where it was found (findings point there) and, for per-parent and per-listener
conditions, whose condition it is.

Reading is lazy and allocation-light: most objects have no status at all, and the rules that
use this run over every object of a snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kaudit.rules.health_fields import HealthField, fields_for
from kaudit.rules.health_fields import groups as health_groups
from kaudit.rules.helm import KINDS as HELM_KINDS
from kaudit.rules.helm import RELEASED, helm_revision
from kaudit.snapshot import KubeObject

_EMPTY: Mapping[str, Any] = {}

OBJECT = "object"
PARENT = "parent"
ANCESTOR = "ancestor"
LISTENER = "listener"
HEALTH = "health"
"""Scopes: where on the object a condition was found."""
NESTED = ("parents", "ancestors", "listeners")
"""``status`` fields listing per-parent, per-ancestor and per-listener conditions (each entry
has its own ``conditions``), in the order they are read."""

class Condition:
    """One condition as a rule reads it: the fields of a Kubernetes condition plus where it
    was found. ``raw`` is the condition mapping itself (for a health field, a synthesised
    one), never to be mutated. The fields are read from ``raw`` on demand: ST003 asks every
    object with a generation for its conditions and looks at one field of each."""

    __slots__ = ("failing", "field", "owner", "pointer", "raw", "scope")

    def __init__(self, raw: Mapping[str, Any], pointer: str, scope: str = OBJECT,
                 owner: str = "", field: str = "", failing: bool = False) -> None:
        self.raw = raw
        self.pointer = pointer
        """JSON pointer to the condition (or to the health field it was read from)."""
        self.scope = scope
        self.owner = owner
        """For per-parent, per-ancestor and per-listener conditions: whose condition it is
        (``parent Gateway kong/kong (konghq.com/kic-gateway-controller)``, ``listener
        https``)."""
        self.field = field
        """For a health field that is not a condition: its path (``status.health.status``)."""
        self.failing = failing
        """For a health field: its value is one its project defines as failed (Argo CD
        ``Degraded``, Rook ``Failure``, Longhorn ``faulted``...; kaudit/data/
        health_fields.yaml)."""

    def __repr__(self) -> str:
        return f"<Condition {self.describe()} at {self.pointer}>"

    @property
    def type(self) -> str:
        return _text(self.raw.get("type"))

    @property
    def status(self) -> str:
        return _text(self.raw.get("status"))

    @property
    def reason(self) -> str:
        return _text(self.raw.get("reason"))

    @property
    def is_true(self) -> bool:
        return self.status == "True"

    @property
    def observed_generation(self) -> int | None:
        value = self.raw.get("observedGeneration")
        return value if type(value) is int else None

    @property
    def last_transition(self) -> Any:
        return self.raw.get("lastTransitionTime")

    def describe(self) -> str:
        """``Ready=True (Available)``, with whose condition it is; never the free-text
        message (it changes between controller versions)."""
        if self.field:
            text = f"{self.field}={self.reason}"
        else:
            text = f"{self.type}={self.status}"
            if self.reason:
                text += f" ({self.reason})"
        return f"{text} for {self.owner}" if self.owner else text


def _text(value: Any) -> str:
    if type(value) is str:
        return value
    return "" if value is None or value == "" else str(value)


_OWN_POINTED = 32
_OWN_POINTERS = tuple(f"/status/conditions/{i}" for i in range(_OWN_POINTED))
"""Pointers of the first ``status.conditions`` (formatting one per condition was a tenth of
the view's cost)."""


def conditions(obj: KubeObject) -> Iterator[Condition]:
    """Every condition of ``obj``: ``status.conditions``, then per parent, per ancestor and
    per listener, then the well-known health fields that are not conditions."""
    # Not a generator: most objects have no status, or nothing but ``status.conditions``
    # (ST002 and ST003 ask tens of thousands of them), and a plain list of those conditions
    # costs less than a generator's frame; only the rarer shapes are read lazily.
    if obj.kind in HELM_KINDS and not obj.group:
        return _helm(obj)
    status = obj.raw.get("status")
    if type(status) is not dict or not status:
        return iter(())
    own = status.get("conditions")
    listed: list[Condition] = []
    if type(own) is list:
        for i, cond in enumerate(own):
            if type(cond) is dict:
                listed.append(Condition(cond, _OWN_POINTERS[i] if i < _OWN_POINTED
                                        else f"/status/conditions/{i}"))
    if len(status) == 1 and own is not None:
        return iter(listed)  # nothing but conditions (the usual case): no other shape
    group = obj.group
    health = fields_for(group, obj.kind) if group in health_groups() else ()
    if not health and NESTED[0] not in status and NESTED[1] not in status \
            and NESTED[2] not in status:
        return iter(listed)
    return _shaped(obj, status, listed, health)


def _shaped(obj: KubeObject, status: Mapping[str, Any], listed: list[Condition],
            health: tuple[HealthField, ...]) -> Iterator[Condition]:
    """``status.conditions`` (already read), then the per-parent, per-ancestor and
    per-listener conditions, then the health fields."""
    yield from listed
    parents = status.get("parents")
    if isinstance(parents, list):
        for i, parent in enumerate(parents):
            if isinstance(parent, dict):
                yield from _listed(parent.get("conditions"), f"/status/parents/{i}/conditions",
                                   PARENT, _parent_name(obj, parent, "parentRef", "parent"))
    ancestors = status.get("ancestors")
    if isinstance(ancestors, list):
        for i, ancestor in enumerate(ancestors):
            if isinstance(ancestor, dict):
                yield from _listed(ancestor.get("conditions"),
                                   f"/status/ancestors/{i}/conditions", ANCESTOR,
                                   _parent_name(obj, ancestor, "ancestorRef", "ancestor"))
    listeners = status.get("listeners")
    if isinstance(listeners, list):
        for i, listener in enumerate(listeners):
            if isinstance(listener, dict):
                name = listener.get("name")
                yield from _listed(listener.get("conditions"),
                                   f"/status/listeners/{i}/conditions", LISTENER,
                                   f"listener {name}" if name else f"listener {i}")
    if health:
        yield from _health_fields(obj, health)


def behind(obj: KubeObject, generation: int) -> bool:
    """Whether a condition of ``obj``, in any scope, records an ``observedGeneration`` below
    ``generation``: ``conditions`` read for that one field, without building a ``Condition``
    per condition (ST003 asks every object with a generation and a status). Health fields
    and Helm's status label carry no ``observedGeneration``."""
    if obj.kind in HELM_KINDS and not obj.group:
        return False
    status = obj.raw.get("status")
    if type(status) is not dict or not status:
        return False
    own = status.get("conditions")
    if type(own) is list:
        for cond in own:
            if type(cond) is dict:
                seen = cond.get("observedGeneration")
                if type(seen) is int and seen < generation:
                    return True
    if len(status) == 1 and own is not None:
        return False
    for field in NESTED:
        entries = status.get(field)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            listed = entry.get("conditions") if isinstance(entry, dict) else None
            if not isinstance(listed, list):
                continue
            for cond in listed:
                if isinstance(cond, dict):
                    seen = cond.get("observedGeneration")
                    if type(seen) is int and seen < generation:
                        return True
    return False


def first(obj: KubeObject, type_: str, scope: str = OBJECT) -> Condition | None:
    """The first condition of ``type_`` in ``scope`` (the object's own by default)."""
    for cond in conditions(obj):
        if cond.type == type_ and cond.scope == scope:
            return cond
    return None


def condition_is(obj: KubeObject, type_: str, status: str = "True") -> bool:
    """Whether the object's own ``type_`` condition has ``status``."""
    cond = first(obj, type_)
    return cond is not None and cond.status == status


def _listed(value: Any, pointer: str, scope: str, owner: str) -> Iterator[Condition]:
    if not isinstance(value, list):
        return
    for i, cond in enumerate(value):
        if isinstance(cond, dict):
            yield Condition(cond, f"{pointer}/{i}", scope, owner)


def _parent_name(obj: KubeObject, entry: Mapping[str, Any], ref_field: str, word: str) -> str:
    """``parent Gateway kong/kong/https (controller example.com/gw)``: Gateway API parent
    references default to kind Gateway in the route's namespace."""
    ref = entry.get(ref_field)
    ref = ref if isinstance(ref, dict) else _EMPTY
    kind = str(ref.get("kind") or "Gateway")
    namespace = str(ref.get("namespace") or obj.namespace)
    name = str(ref.get("name") or "?")
    section = ref.get("sectionName")
    text = f"{word} {kind} {namespace}/{name}" if namespace else f"{word} {kind} {name}"
    if section:
        text += f"/{section}"
    controller = entry.get("controllerName")
    return f"{text} ({controller})" if controller else text


def _health_fields(obj: KubeObject, entries: tuple[HealthField, ...]) -> Iterator[Condition]:
    """Each health field of the table (kaudit/data/health_fields.yaml) the object has, read
    as a condition of the entry's type whose reason is the raw value; a value the table does
    not list yields nothing unless the entry has a default."""
    for entry in entries:
        node: Any = obj.raw
        parent: Any = None
        for key in entry.path:
            if not isinstance(node, dict):
                node = None
                break
            parent, node = node, node.get(key)
        if not isinstance(node, str) or not node:
            continue
        status = entry.values.get(node, entry.default)
        if status is None:
            continue
        raw: dict[str, Any] = {"type": entry.type, "status": status, "reason": node}
        if isinstance(parent, dict) and parent.get("lastTransitionTime"):
            raw["lastTransitionTime"] = parent["lastTransitionTime"]
        yield Condition(raw, entry.pointer, HEALTH, field=entry.field,
                        failing=node in entry.failed)


def _helm(obj: KubeObject) -> Iterator[Condition]:
    """A Helm 3 release revision's ``status`` label, read as a ``Released`` condition (True
    when deployed, False when failed, Unknown while an operation is pending) for that
    revision; superseded and uninstalled revisions are history and yield none."""
    rev = helm_revision(obj)
    if rev is None:
        return
    status = RELEASED.get(rev.status)
    if status is None:
        return
    raw: dict[str, Any] = {"type": "Released", "status": status, "reason": rev.status}
    yield Condition(raw, "/metadata/labels/status", HEALTH, owner=rev.describe(),
                    field="metadata.labels.status")
