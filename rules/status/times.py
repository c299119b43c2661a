"""RFC 3339 timestamps as controllers write them, parsed without leaving the rule API.

Kopf writes ``2024-05-15T07:41:11.402118+00:00``; Kubernetes ``2024-05-15T07:41:11Z`` and
events.k8s.io ``2024-06-01T11:50:00.000000Z``. Unparseable values are ``None``: a rule that
cannot date something says so rather than guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def maybe_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text[-1] in "Zz":
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


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
