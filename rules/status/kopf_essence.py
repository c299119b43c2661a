"""Kopf's "essence" of an object, computed the way Kopf computes it.

Kopf (``kopf/_cogs/configs/diffbase.py``, ``DiffBaseStorage.build``) decides whether an object
changed by comparing its essence with the one stored after the last successful handling, in
the annotation ``kopf.zalando.org/last-handled-configuration``. The essence is the body
without ``apiVersion``, ``kind``, ``metadata`` and ``status``, plus ``metadata.labels`` and
``metadata.annotations`` -- minus kubectl's ``last-applied-configuration`` and every
annotation under a Kopf-managed prefix (``kopf.zalando.org``, ``*.kopf.zalando.org``, or any
prefix marked by a ``<prefix>/kopf-managed`` annotation) -- plus the extra fields that
handlers declare with ``field=...`` (e.g. ``status.storage``), with empty stanzas removed.

kaudit cannot see the handlers, so it reads the extra fields from the stored essence itself:
every leaf path under a stanza Kopf would otherwise drop (``status``, ``metadata`` beyond
labels/annotations) is one Kopf restored when it stored it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from typing import Any

DIFF_BASE = "kopf.zalando.org/last-handled-configuration"
KOPF_PREFIX = "kopf.zalando.org"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MARKER = "kopf-managed"
_PROGRESS_KEYS = frozenset({"started", "stopped", "delayed", "purpose", "retries", "success",
                            "failure"})


def marked_prefixes(annotations: Mapping[str, Any]) -> frozenset[str]:
    """Annotation prefixes Kopf treats as another Kopf operator's storage."""
    prefixes: set[str] = set()
    for key in annotations:
        if "/" not in key:
            continue
        prefix, name = key.split("/", 1)
        if name == MARKER or prefix == KOPF_PREFIX or prefix.endswith(f".{KOPF_PREFIX}"):
            prefixes.add(prefix)
    return frozenset(prefixes)


def stored_essence(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    """The decoded diff-base, or ``None`` when absent or not a JSON object."""
    text = _mapping(_dig(raw, "metadata", "annotations")).get(DIFF_BASE)
    if not isinstance(text, str):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def extra_fields(stored: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """The handler fields Kopf restored into ``stored``: leaf paths outside the parts every
    essence has (top-level body fields, ``metadata.labels``, ``metadata.annotations``)."""
    paths: list[tuple[str, ...]] = []
    status = stored.get("status")
    if isinstance(status, dict):
        paths.extend(_leaf_paths(status, ("status",)))
    metadata = stored.get("metadata")
    if isinstance(metadata, dict):
        for key, value in metadata.items():
            if key in ("labels", "annotations"):
                continue
            if isinstance(value, dict) and value:
                paths.extend(_leaf_paths(value, ("metadata", key)))
            else:
                paths.append(("metadata", key))
    return sorted(paths)


def _leaf_paths(node: Mapping[str, Any], prefix: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    for key, value in node.items():
        if isinstance(value, dict) and value:
            yield from _leaf_paths(value, (*prefix, key))
        else:
            yield (*prefix, key)


def build_essence(raw: Mapping[str, Any], fields: list[tuple[str, ...]]) -> dict[str, Any]:
    """The essence Kopf would store for ``raw`` now, tracking the extra ``fields``."""
    essence: dict[str, Any] = {
        k: copy.deepcopy(v) for k, v in raw.items()
        if k not in ("apiVersion", "kind", "metadata", "status")
    }
    metadata = _mapping(raw.get("metadata"))
    picked: dict[str, Any] = {}
    if "labels" in metadata:
        picked["labels"] = copy.deepcopy(metadata["labels"])
    if "annotations" in metadata:
        annotations = dict(_mapping(metadata["annotations"]))
        ignored = marked_prefixes(annotations)
        picked["annotations"] = {
            k: v for k, v in annotations.items()
            if k != LAST_APPLIED and not any(k.startswith(f"{p}/") for p in ignored)
        }
    if picked:
        essence["metadata"] = picked
    for path in fields:
        found, value = _resolve(raw, path)
        if found:
            _ensure(essence, path, copy.deepcopy(value))
    _remove_empty_stanzas(essence)
    return essence


def _resolve(node: Any, path: tuple[str, ...]) -> tuple[bool, Any]:
    for step in path:
        if not isinstance(node, dict) or step not in node:
            return False, None
        node = node[step]
    return True, node


def _ensure(node: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for step in path[:-1]:
        child = node.get(step)
        if not isinstance(child, dict):
            child = node[step] = {}
        node = child
    node[path[-1]] = value


def _remove_empty_stanzas(essence: dict[str, Any]) -> None:
    metadata = essence.get("metadata")
    if isinstance(metadata, dict):
        for key in ("annotations", "labels"):
            if key in metadata and not metadata[key]:
                del metadata[key]
        if not metadata:
            del essence["metadata"]
    if "status" in essence and not essence["status"]:
        del essence["status"]


def progress_records(raw: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """In-flight handler progress, by handler id: annotations under the operator's prefix
    (``kopf.zalando.org``; other operators' records say nothing about this one) holding a
    progress record (``started``/``retries``/``delayed``...), and the legacy
    ``status.kopf.progress``. Kopf purges them when a handling cycle ends, so any present
    record means a cycle is still running (or retrying)."""
    out: dict[str, dict[str, Any]] = {}
    annotations = _mapping(_dig(raw, "metadata", "annotations"))
    for key, value in annotations.items():
        if not key.startswith(f"{KOPF_PREFIX}/") or not isinstance(value, str):
            continue
        try:
            record = json.loads(value)
        except ValueError:
            continue
        if isinstance(record, dict) and _PROGRESS_KEYS & set(record):
            out[key.split("/", 1)[1]] = record
    legacy = _dig(raw, "status", "kopf", "progress")
    if isinstance(legacy, dict):
        out.update({str(k): v for k, v in legacy.items() if isinstance(v, dict)})
    return out


def _dig(node: Any, *path: str) -> Any:
    for step in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(step)
    return node


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def differing_paths(old: Any, new: Any, prefix: str = "") -> list[str]:
    """JSON pointers (RFC 6901) of the top-most places where ``old`` and ``new`` differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in sorted(set(old) | set(new)):
            escaped = str(key).replace("~", "~0").replace("/", "~1")
            if key not in old or key not in new:
                out.append(f"{prefix}/{escaped}")
            else:
                out.extend(differing_paths(old[key], new[key], f"{prefix}/{escaped}"))
        return out
    return [] if old == new else [prefix or "/"]
