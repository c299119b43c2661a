"""Candidate indexes: the few objects each common rule precondition can hold for.

Most rules look at objects in a state that is rare in a healthy cluster: being deleted, held
by finalizers, annotated with a controller's bookkeeping, reporting conditions or an observed
generation, owned by another object. Walking all 100k objects to find the 1 % that are being
deleted cost each such rule as much as its real work. The snapshot builds these lists in one
pass the first time any rule asks (``Snapshot.candidates``) and every later rule reads them.

A candidate list is a superset: an object is on it when the field is *present and non-empty*,
and the rule still checks the value (a ``deletionTimestamp`` that does not parse is a
candidate, not a deletion). Lists keep input order, each identity once, so a rule that walks
its candidates instead of every object reports the same findings in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kaudit.snapshot.object import KubeObject

TERMINATING = "terminating"
"""``metadata.deletionTimestamp`` is set."""
FINALIZED = "finalized"
"""``metadata.finalizers`` is a non-empty list."""
ANNOTATED = "annotated"
"""``metadata.annotations`` is a non-empty mapping."""
OWNED = "owned"
"""``metadata.ownerReferences`` is a non-empty list."""
CONDITIONED = "conditioned"
"""``status`` is a non-empty mapping (where conditions of every scope live: ``status.conditions``,
per parent, per listener, health fields; see ``kaudit.rules.conditions``), or the object is a
core-group kind in ``STATUS_IN_LABELS``."""
STATUS_IN_LABELS: frozenset[str] = frozenset({"Secret", "ConfigMap"})
"""Core-group kinds whose condition view needs no ``status``: Helm 3 stores each release
revision as a Secret or ConfigMap with its status in a label (``kaudit.rules.helm.KINDS``;
``tests/snapshot/test_candidates.py`` keeps the two in step)."""
GENERATION_TRACKED = "generation-tracked"
"""``metadata.generation`` is set and ``status`` is a non-empty mapping (an
``observedGeneration`` of the object or of a condition lives there)."""

NAMES = (TERMINATING, FINALIZED, ANNOTATED, OWNED, CONDITIONED, GENERATION_TRACKED)


def index_candidates(objects: Iterable[KubeObject]) -> dict[str, tuple[KubeObject, ...]]:
    """Every candidate list, in one pass of plain dict lookups over ``objects``."""
    terminating: list[KubeObject] = []
    finalized: list[KubeObject] = []
    annotated: list[KubeObject] = []
    owned: list[KubeObject] = []
    conditioned: list[KubeObject] = []
    tracked: list[KubeObject] = []
    for obj in objects:
        meta = obj.metadata
        if meta.get("deletionTimestamp") is not None:
            terminating.append(obj)
        if meta.get("finalizers"):
            finalized.append(obj)
        if meta.get("annotations"):
            annotated.append(obj)
        if meta.get("ownerReferences"):
            owned.append(obj)
        status = obj.raw.get("status")
        if type(status) is dict and status:
            conditioned.append(obj)
            if meta.get("generation") is not None:
                tracked.append(obj)
        elif obj.kind in STATUS_IN_LABELS and not obj.group:
            conditioned.append(obj)
    return {TERMINATING: tuple(terminating), FINALIZED: tuple(finalized),
            ANNOTATED: tuple(annotated), OWNED: tuple(owned), CONDITIONED: tuple(conditioned),
            GENERATION_TRACKED: tuple(tracked)}
