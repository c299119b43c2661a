"""ObjectMeta of the shape the API server enforces, checked once on load.

Every rule reads metadata (names, labels, annotations, owners, finalizers) and may rely on its
types, because the API server rejects any object whose metadata has another shape: a label
value that is a number, an ``ownerReferences`` entry that is a string. A manifest with such
metadata can never be applied, so it is reported (KA001, naming the field) and not audited,
instead of crashing a rule for the whole snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_STRINGS = ("name", "generateName", "namespace", "uid", "resourceVersion", "selfLink",
            "creationTimestamp", "deletionTimestamp")
_INTEGERS = ("generation", "deletionGracePeriodSeconds")
_STRING_MAPS = ("labels", "annotations")
_OWNER_STRINGS = ("apiVersion", "kind", "name", "uid")
_OWNER_BOOLS = ("controller", "blockOwnerDeletion")


def metadata_problem(raw: dict[str, Any]) -> str | None:
    """What is wrong with ``raw``'s metadata, as the API server would say it; ``None`` if
    nothing (absent fields are fine: manifests omit most of them).

    Runs once per object on load: one pass over the fields present, each checked by name.
    """
    meta = raw.get("metadata")
    if meta is None:
        return None
    if not isinstance(meta, dict):
        return "metadata is not a mapping"
    for name, value in meta.items():
        if value is None:
            continue
        check = _CHECKS.get(name)
        if check is not None:
            problem = check(value)
            if problem is not None:
                return f"metadata.{name} {problem}"
    return None


def _string(value: Any) -> str | None:
    return None if isinstance(value, str) else "is not a string"


def _integer(value: Any) -> str | None:
    return None if type(value) is int else "is not an integer"


def _string_map(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "is not a mapping"
    for item in value.values():  # the usual case, a look at each value and nothing more
        if type(item) is not str:
            break
    else:
        return None
    for key, item in value.items():
        if item is None:
            value[key] = ""  # JSON null reads as the empty string in Go, so it does here
        elif not isinstance(item, str):
            return "does not map strings to strings"
    return None


def _finalizers(value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(f, str) for f in value):
        return None
    return "is not a list of strings"


_NOT_AN_OWNER = ("holds an entry that is not an owner reference (string apiVersion, kind, "
                 "name, uid; boolean controller)")


def _owners(value: Any) -> str | None:
    if not isinstance(value, list):
        return "is not a list"
    # Plain loops: 54k owned objects at 100k, each reference checked field by field.
    for owner in value:
        if not isinstance(owner, dict):
            return _NOT_AN_OWNER
        get = owner.get
        for key in _OWNER_STRINGS:
            item = get(key)
            if item is not None and not isinstance(item, str):
                return _NOT_AN_OWNER
        for key in _OWNER_BOOLS:
            item = get(key)
            if item is not None and type(item) is not bool:
                return _NOT_AN_OWNER
    return None


_CHECKS: dict[str, Callable[[Any], str | None]] = {
    **dict.fromkeys(_STRINGS, _string),
    **dict.fromkeys(_INTEGERS, _integer),
    **dict.fromkeys(_STRING_MAPS, _string_map),
    "finalizers": _finalizers,
    "ownerReferences": _owners,
}
