"""Health reported in status fields that are not conditions (Argo CD's ``status.health``,
Rook's ``status.phase``, Longhorn's ``status.robustness``, ACME Orders' ``status.state``...).

What each field means is data, ``kaudit/data/health_fields.yaml``, so a newcomer adds a
project there, not here. This module loads and checks the table once and answers one
question for the condition view: which health fields does an object of this group and kind
have.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from kaudit import yamldata

STATUSES = frozenset({"True", "False", "Unknown"})


@dataclass(frozen=True, slots=True)
class HealthField:
    project: str
    group: str
    kinds: frozenset[str]
    """Kinds of ``group`` it applies to; empty: every kind."""
    path: tuple[str, ...]
    type: str
    values: Mapping[str, str]
    failed: frozenset[str]
    default: str | None
    source: str

    @property
    def field(self) -> str:
        return ".".join(self.path)

    @property
    def pointer(self) -> str:
        return "/" + "/".join(self.path)


def build(doc: Sequence[Mapping[str, Any]]) -> tuple[HealthField, ...]:
    """Entries from the parsed table; a malformed entry is a ``ValueError`` naming it (the
    table ships with kaudit and is tested, so this guards edits, not user input)."""
    out: list[HealthField] = []
    for entry in doc:
        values = {str(k): str(v) for k, v in (entry.get("values") or {}).items()}
        failed = frozenset(str(v) for v in entry.get("failed") or ())
        default = entry.get("default")
        kinds = [str(k) for k in entry.get("kinds") or ()]
        if not values or not set(values.values()) <= STATUSES or not failed <= set(values) \
                or (default is not None and default not in STATUSES) or not kinds \
                or any(values[v] != "False" for v in failed):
            raise ValueError(f"malformed health field entry: {entry}")
        out.append(HealthField(
            project=str(entry["project"]), group=str(entry["group"]),
            kinds=frozenset() if "*" in kinds else frozenset(kinds),
            path=tuple(str(entry["field"]).split(".")), type=str(entry["type"]),
            values=values, failed=failed, default=default, source=str(entry["source"])))
    return tuple(out)


@cache
def table() -> tuple[HealthField, ...]:
    text = resources.files("kaudit.data").joinpath("health_fields.yaml").read_text()
    return build(yamldata.load(text))


@cache
def _by_group() -> Mapping[str, tuple[HealthField, ...]]:
    grouped: dict[str, list[HealthField]] = {}
    for entry in table():
        grouped.setdefault(entry.group, []).append(entry)
    return {group: tuple(entries) for group, entries in grouped.items()}


@cache
def groups() -> frozenset[str]:
    """The groups the table has entries for: the condition view asks every object with a
    status for its health fields, and almost none is in one of these groups."""
    return frozenset(_by_group())


def fields_for(group: str, kind: str) -> tuple[HealthField, ...]:
    """The health fields an object of ``group``/``kind`` has, in table order."""
    entries = _by_group().get(group)
    if not entries:
        return ()
    return tuple(e for e in entries if not e.kinds or kind in e.kinds)
