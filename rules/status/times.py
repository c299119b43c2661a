"""Small readers the status rules share: when an object was last written, and safe walks
through nested fields of unknown shape (dumps and fuzzing both produce wrong types).

Timestamps are parsed with ``kaudit.rules.maybe_time``: Kopf writes
``2024-05-15T07:41:11.402118+00:00``, Kubernetes ``2024-05-15T07:41:11Z``; unparseable values
are ``None``, so a rule that cannot date something says so rather than guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def managed_fields(metadata: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """``metadata.managedFields`` entries that are mappings (anything else is ignored)."""
    value = metadata.get("managedFields")
    return [e for e in value if isinstance(e, Mapping)] if isinstance(value, list) else []


def dig(node: Any, *path: str) -> Any:
    """``node[path[0]][path[1]]…``, or ``None`` as soon as a step is not a mapping."""
    for step in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(step)
    return node
