"""The objects a unique constraint can hold for, found without testing every object.

A constraint's ``where`` filters run on every object of its kinds, and on every object of the
snapshot for ``kinds: "*"`` (Crossplane's external-name constraint): 100k filter evaluations
to find the few managed resources of a cluster. Most filters can only hold where their field
has a value (``exists: true``, ``equals``, ``in``), so the objects to test are those that
have it:

- for ``kinds: "*"``, the snapshot's indexes already list them: objects with annotations
  (``Snapshot.candidates("annotated")``) or with a top-level mapping holding the path's
  second key (``Snapshot.having("spec", "forProvider")``); the smallest such list is walked;
- for listed kinds, the first such filter's field is read from each object of those kinds
  once per snapshot, and shared by every constraint that reads the same field of the same
  kinds (the three Kong credential constraints filter Secrets on one label); each constraint
  keeps the objects whose values its filter accepts.

Every list is a superset of the objects the filters accept and keeps the order the rule
walked before (kind by kind, input order), and the rule still evaluates every filter, so
findings are the same objects in the same order: the narrowing only skips objects that no
filter could accept. ``tests/rules/test_unique_narrowing.py`` holds the boundary cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kaudit.rules import KubeObject, RuleContext, Snapshot
from kaudit.snapshot.candidates import ANNOTATED
from kaudit_rules.unique.conditions import GROUP_KIND, Condition, FieldSpec
from kaudit_rules.unique.fields import WILD, Step

_Kinds = tuple[tuple[str, str], ...]
_Values = tuple[tuple[KubeObject, list[Any]], ...]

def _values_table(_: Snapshot) -> dict[tuple[Any, ...], _Values]:
    """Per snapshot (``Snapshot.derived``): (kinds, field) -> each object of those kinds that
    has a value there, with its values (``FieldSpec.values``)."""
    return {}


def needs_value(cond: Condition) -> bool:
    """Whether ``cond`` can hold only where its field has a value. Not so for ``notEquals``,
    ``notIn`` and ``exists: false`` (they hold on absence), a field with a ``default`` (it
    stands in for a missing value), a Secret data key (it may come from ``stringData``) or
    ``groupKind`` (never missing)."""
    subject = cond.subject
    if subject.default is not None or subject.secret or subject.steps == GROUP_KIND:
        return False
    return cond.op in ("equals", "in") or (cond.op == "exists" and cond.value is True)


def _indexed(snapshot: Snapshot, steps: tuple[Step, ...]) -> tuple[KubeObject, ...] | None:
    """A snapshot index listing every object that may have a value at ``steps``, or ``None``.

    A value at ``a.b…`` needs ``a`` to be a mapping holding ``b``: ``having(a, b)``; an
    annotation needs a non-empty annotations mapping: the ``annotated`` candidates. Other
    ``metadata`` paths (labels) have no index worth building: nearly every object has labels,
    and indexing every metadata key of every object costs as much as testing the filter."""
    if len(steps) < 2 or type(steps[0]) is not str or type(steps[1]) is not str \
            or WILD in steps[:2]:
        return None
    if steps[0] == "metadata":
        return snapshot.candidates(ANNOTATED) if steps[1] == "annotations" else None
    return snapshot.having(steps[0], steps[1])


def _values(ctx: RuleContext, kinds: _Kinds, subject: FieldSpec) -> _Values:
    per_snapshot = ctx.snapshot.derived(_values_table)
    key = (kinds, subject.steps, tuple(sorted(subject.mapping.items())))
    found = per_snapshot.get(key)
    if found is None:
        pairs = []
        for group, kind in kinds:
            for obj in ctx.objects(kind, group):
                values = subject.values(obj)
                if values:
                    pairs.append((obj, values))
        found = per_snapshot[key] = tuple(pairs)
    return found


def candidates(ctx: RuleContext, kinds: _Kinds,
               where: Sequence[Condition]) -> Sequence[KubeObject] | None:
    """The objects worth filtering, in the order the rule would walk them, or ``None`` when
    no filter needs a value (then every object of ``kinds`` is a candidate)."""
    needing = [c for c in where if needs_value(c)]
    if not needing:
        return None
    if not kinds:
        lists = [found for c in needing
                 if (found := _indexed(ctx.snapshot, c.subject.steps)) is not None]
        return min(lists, key=len) if lists else None
    first = needing[0]
    return [obj for obj, values in _values(ctx, kinds, first.subject) if first.accepts(values)]
