"""One copy of the strings every object repeats.

A parser makes a new string for every value it reads: 100k objects carry 100k copies of
``"apps/v1"``, of their namespace's name, of ``"True"`` and ``"Ready"`` in each condition. The
values that repeat across a whole cluster -- identity, label values, owner references,
condition types, statuses and reasons -- are replaced at load by one shared (interned) string
each: 58 MiB of the 100k-object benchmark's 646 MiB peak. Equal strings stay equal, so no
reader can tell.
"""

from __future__ import annotations

from sys import intern
from typing import Any

_CONDITION_FIELDS = ("type", "status", "reason")
_OWNER_FIELDS = ("apiVersion", "kind")


def share_strings(raw: dict[str, Any]) -> None:
    """Intern ``raw``'s repeated values in place (before any reader holds it)."""
    value = raw.get("apiVersion")
    if type(value) is str:
        raw["apiVersion"] = intern(value)
    value = raw.get("kind")
    if type(value) is str:
        raw["kind"] = intern(value)
    meta = raw.get("metadata")
    if type(meta) is dict:
        value = meta.get("namespace")
        if type(value) is str:
            meta["namespace"] = intern(value)
        labels = meta.get("labels")
        if type(labels) is dict:
            for key, value in labels.items():
                if type(value) is str:
                    labels[key] = intern(value)
        owners = meta.get("ownerReferences")
        if type(owners) is list:
            for owner in owners:
                if type(owner) is dict:
                    _intern_fields(owner, _OWNER_FIELDS)
    status = raw.get("status")
    if type(status) is dict:
        conditions = status.get("conditions")
        if type(conditions) is list:
            for condition in conditions:
                if type(condition) is dict:
                    _intern_fields(condition, _CONDITION_FIELDS)


def with_shared_keys(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` rebuilt with interned keys, all the way down. orjson shares the keys it reads
    (its key cache); YAML parsers make a new string for every key of every object, and those
    keys were a third of a 100k-object YAML dump's memory once the objects were lean. Only
    plain dicts are rebuilt (a strict lean form, in tests, is kept as it is)."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        kind = type(value)
        if kind is dict:
            value = with_shared_keys(value)
        elif kind is list:
            value = [with_shared_keys(v) if type(v) is dict else v for v in value]
        out[intern(key) if type(key) is str else key] = value
    return out


def _intern_fields(node: dict[str, Any], fields: tuple[str, ...]) -> None:
    for name in fields:
        value = node.get(name)
        if type(value) is str:
            node[name] = intern(value)
