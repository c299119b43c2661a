"""ObjectMeta of the shape the API server enforces, checked once on load.

Every rule reads metadata (names, labels, annotations, owners, finalizers) and may rely on its
types, because the API server rejects any object whose metadata has another shape: a label
value that is a number, an ``ownerReferences`` entry that is a string. A manifest with such
metadata can never be applied, so it is reported (KA001, naming the field) and not audited,
instead of crashing a rule for the whole snapshot.
"""

from __future__ import annotations

from typing import Any

_STRINGS = ("name", "generateName", "namespace", "uid", "resourceVersion", "selfLink",
            "creationTimestamp", "deletionTimestamp")
_INTEGERS = ("generation", "deletionGracePeriodSeconds")
_STRING_MAPS = ("labels", "annotations")
_OWNER_STRINGS = ("apiVersion", "kind", "name", "uid")
_OWNER_BOOLS = ("controller", "blockOwnerDeletion")


def metadata_problem(raw: dict[str, Any]) -> str | None:
    """What is wrong with ``raw``'s metadata, as the API server would say it; ``None`` if
    nothing (absent fields are fine: manifests omit most of them)."""
    meta = raw.get("metadata")
    if meta is None:
        return None
    if not isinstance(meta, dict):
        return "metadata is not a mapping"
    for name in _STRINGS:
        if _wrong(meta.get(name), str):
            return f"metadata.{name} is not a string"
    for name in _INTEGERS:
        if _wrong(meta.get(name), int):
            return f"metadata.{name} is not an integer"
    for name in _STRING_MAPS:
        value = meta.get(name)
        if value is None:
            continue
        if not isinstance(value, dict):
            return f"metadata.{name} is not a mapping"
        for key, item in value.items():
            if item is None:
                value[key] = ""  # JSON null reads as the empty string in Go, so it does here
            elif not isinstance(item, str):
                return f"metadata.{name} does not map strings to strings"
    finalizers = meta.get("finalizers")
    if finalizers is not None and not (
            isinstance(finalizers, list) and all(isinstance(f, str) for f in finalizers)):
        return "metadata.finalizers is not a list of strings"
    owners = meta.get("ownerReferences")
    if owners is not None:
        if not isinstance(owners, list):
            return "metadata.ownerReferences is not a list"
        for owner in owners:
            if not isinstance(owner, dict) or any(
                    _wrong(owner.get(k), str) for k in _OWNER_STRINGS) or any(
                    _wrong(owner.get(k), bool) for k in _OWNER_BOOLS):
                return ("metadata.ownerReferences holds an entry that is not an owner "
                        "reference (string apiVersion, kind, name, uid; boolean controller)")
    return None


def _wrong(value: Any, expected: type) -> bool:
    """Present (not null) and not of ``expected`` (``bool`` is no integer here, as in Go)."""
    if value is None:
        return False
    if expected is int:
        return type(value) is not int
    return not isinstance(value, expected)
