"""Key fields and filters of a unique constraint: where a value is read, and what it must be."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kaudit.rules import KubeObject
from kaudit_rules.unique.fields import WILD, Step, parse_path, walk

GROUP_KIND: tuple[Step, ...] = ("\x00groupKind",)
"""The key field ``{groupKind: true}``: ``Kind.group`` of the object, whatever its version."""


@dataclass(frozen=True)
class FieldSpec:
    """Where one value is read: a path, a label, an annotation, or a Secret data key."""

    title: str
    steps: tuple[Step, ...]
    secret: bool = False
    default: Any = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    plain: bool = field(init=False, repr=False, compare=False)
    """Every step a key (no ``[*]``, no index): read by plain lookups, not ``walk``. Filters run
    on every candidate (a ``kinds: "*"`` constraint's filters on every object of a cluster)
    and most name a label, an annotation or a fixed field."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "plain", all(type(s) is str and s != WILD for s in self.steps))

    @classmethod
    def parse(cls, doc: Any, where: str) -> FieldSpec:
        if not isinstance(doc, dict):
            raise ValueError(f"{where}: expected a mapping with field/label/annotation/"
                             f"secretData, got {doc!r}")
        if doc.get("groupKind") is True:
            return cls(title=str(doc.get("title") or "kind"), steps=GROUP_KIND)
        sources = [k for k in ("field", "label", "annotation", "secretData") if k in doc]
        if len(sources) != 1:
            raise ValueError(f"{where}: give exactly one of field, label, annotation, "
                             "secretData, groupKind: true")
        source = sources[0]
        name = doc[source]
        if not isinstance(name, str) or not name:
            raise ValueError(f"{where}: {source} must be a non-empty string")
        if source == "field":
            steps = parse_path(name)
        elif source == "label":
            steps = ("metadata", "labels", name)
        elif source == "annotation":
            steps = ("metadata", "annotations", name)
        else:
            steps = ("data", name)
        mapping = doc.get("map") or {}
        if not isinstance(mapping, dict):
            raise ValueError(f"{where}: map must be a mapping of value -> value")
        return cls(title=str(doc.get("title") or name), steps=steps,
                   secret=source == "secretData", default=doc.get("default"),
                   mapping={str(k): str(v) for k, v in mapping.items()})

    def values(self, obj: KubeObject) -> list[Any]:
        if self.plain:
            found = lookup(obj.raw, self.steps)
        else:
            found = [v for _, _, v in walk(obj.raw, self.steps)]
        if not found and self.secret:  # stringData, before the API server merges it
            found = [v for _, _, v in walk(obj.raw, ("stringData", *self.steps[1:]))]
        if not found and self.default is not None:
            found = [self.default]
        return [self.normalise(v) for v in found]

    def normalise(self, value: Any) -> Any:
        if isinstance(value, dict | list):
            return json.dumps(value, sort_keys=True)
        text = value if isinstance(value, str) else json.dumps(value)
        return self.mapping.get(text, text)


def lookup(node: Any, steps: tuple[Step, ...]) -> list[Any]:
    """``walk`` for a path of keys only: the value there (if not null) or nothing."""
    for step in steps:
        # ``type is dict`` first: object bodies are dicts, and the ``Mapping`` ABC check alone
        # cost more than the rest of the lookup.
        if not (type(node) is dict or isinstance(node, Mapping)) or step not in node:
            return []
        node = node[step]
    return [] if node is None else [node]


_OPS = ("equals", "notEquals", "in", "notIn", "exists")


@dataclass(frozen=True)
class Condition:
    """One filter: ``{field|label|annotation: …, equals|notEquals|in|notIn|exists: …}``."""

    subject: FieldSpec
    op: str
    value: Any

    @classmethod
    def parse(cls, doc: Any, where: str) -> Condition:
        if not isinstance(doc, dict):
            raise ValueError(f"{where}: a condition is a mapping, got {doc!r}")
        ops = [k for k in _OPS if k in doc]
        if len(ops) != 1:
            raise ValueError(f"{where}: give exactly one of {', '.join(_OPS)}")
        op = ops[0]
        subject = FieldSpec.parse({k: v for k, v in doc.items() if k not in _OPS}, where)
        value = doc[op]
        if op in ("in", "notIn"):
            if not isinstance(value, list):
                raise ValueError(f"{where}: {op} takes a list")
            value = frozenset(subject.normalise(v) for v in value)
        elif op in ("equals", "notEquals"):
            value = subject.normalise(value)
        elif not isinstance(value, bool):
            raise ValueError(f"{where}: exists takes true or false")
        return cls(subject, op, value)

    def holds(self, obj: KubeObject) -> bool:
        return self.accepts(self.subject.values(obj))

    def accepts(self, found: list[Any]) -> bool:
        """Whether the condition holds for an object whose subject has the values ``found``
        (``FieldSpec.values``)."""
        if self.op == "exists":
            return bool(found) == self.value
        if self.op == "equals":
            return self.value in found
        if self.op == "notEquals":
            return self.value not in found
        if self.op == "in":
            return any(v in self.value for v in found)
        return not any(v in self.value for v in found)


def parse_conditions(doc: Any, where: str) -> tuple[Condition, ...]:
    if doc is None:
        return ()
    if not isinstance(doc, list):
        raise ValueError(f"{where}: expected a list of conditions")
    return tuple(Condition.parse(c, f"{where}[{i}]") for i, c in enumerate(doc))
