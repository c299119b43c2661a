"""The compact ``metadata.managedFields`` a saved snapshot keeps.

A saved snapshot must give the findings of the live scan it came from, and three rules read
``managedFields``: ST003 dates a stale ``observedGeneration`` by the newest non-status write
(``time``, ``subresource``), ST006 asks which manager last wrote Kopf's diff-base annotation
(``manager``, ``time`` and the annotation keys under ``fieldsV1``), and ST005 weighs the whole
object. Full field sets are often a third of a small object, so for most objects the snapshot
keeps each entry's manager, operation, time, subresource, apiVersion and fieldsType, plus the
annotation keys of ``fieldsV1`` -- everything the rules read. An object big enough for its size
to matter (``FULL_ABOVE_BYTES``, well under ST005's 1.2 MB default threshold) keeps its
``managedFields`` whole, so its measured size is the live one.

To teach the snapshot about a rule that reads more, add the entry key to ``KEPT_KEYS`` or the
``fieldsV1`` path to ``KEPT_FIELD_PATHS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

KEPT_KEYS = ("manager", "operation", "time", "subresource", "apiVersion", "fieldsType")
KEPT_FIELD_PATHS: tuple[tuple[str, ...], ...] = (("f:metadata", "f:annotations"),)
FULL_ABOVE_BYTES = 256 * 1024


def _pick(fields: Any, path: tuple[str, ...]) -> Any:
    for step in path:
        if not isinstance(fields, Mapping) or step not in fields:
            return None
        fields = fields[step]
    return fields


def _compact_entry(entry: Any) -> Any:
    if not isinstance(entry, Mapping):
        return entry
    out = {k: entry[k] for k in KEPT_KEYS if k in entry}
    fields = entry.get("fieldsV1")
    for path in KEPT_FIELD_PATHS:
        value = _pick(fields, path)
        if value is None:
            continue
        node = out.setdefault("fieldsV1", {})
        for step in path[:-1]:
            node = node.setdefault(step, {})
        node[path[-1]] = value
    return out


def compact_managed_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` with compact ``managedFields`` (a shallow copy; ``raw`` itself is shared with
    the live snapshot and left untouched), or ``raw`` when there is nothing to compact."""
    meta = raw.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("managedFields"), list):
        return raw
    if len(orjson.dumps(raw)) >= FULL_ABOVE_BYTES:
        return raw
    compact = [_compact_entry(e) for e in meta["managedFields"]]
    return {**raw, "metadata": {**meta, "managedFields": compact}}
