"""Saved snapshots: a redacted cluster state that can be audited later, offline.

Format (DESIGN.md §2): JSON, optionally gzipped::

    {"kind": "KauditSnapshot", "version": 1, "capturedAt": "...",
     "source": {"context": "...", "server": "..."},
     "digests": {"algorithm": "hmac-sha256", "key": "<key id, never the key>"},
     "coverage": {"objects": N, "kinds": N, "gaps": [...], "read": ["apps/Deployment", ...]},
     "items": [...]}
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from kaudit.model import CoverageGap
from kaudit.snapshot import digest
from kaudit.snapshot.redact import is_secret, redact_secret
from kaudit.snapshot.shapes import SNAPSHOT_KIND
from kaudit.snapshot.snapshot import Snapshot
from kaudit.timeutil import format_time, maybe_time

SNAPSHOT_VERSION = 1


@dataclass(frozen=True, slots=True)
class ArchiveHeader:
    captured_at: datetime | None
    context: str
    server: str
    gaps: tuple[CoverageGap, ...]
    read_kinds: frozenset[tuple[str, str]] | None


def is_archive(data: Any) -> bool:
    return isinstance(data, dict) and data.get("kind") == SNAPSHOT_KIND


def read_header(data: dict[str, Any]) -> ArchiveHeader:
    version = data.get("version")
    if version != SNAPSHOT_VERSION:
        # The version is shown only when it is a number: any other text is document content.
        shown = f" {version}" if type(version) is int else ""
        raise ValueError(f"unsupported KauditSnapshot version{shown} "
                         f"(this kaudit reads version {SNAPSHOT_VERSION})")
    source = data.get("source") if isinstance(data.get("source"), dict) else {}
    coverage = data.get("coverage") if isinstance(data.get("coverage"), dict) else {}
    gaps = tuple(
        CoverageGap(str(g.get("resource", "")), str(g.get("reason", "")), str(g.get("detail", "")))
        for g in coverage.get("gaps") or []
        if isinstance(g, dict)
    )
    read = coverage.get("read")
    read_kinds = (
        frozenset(_split_group_kind(s) for s in read if isinstance(s, str))
        if isinstance(read, list) else None
    )
    return ArchiveHeader(
        captured_at=maybe_time(data.get("capturedAt")),
        context=str(source.get("context") or ""),
        server=str(source.get("server") or ""),
        gaps=gaps,
        read_kinds=read_kinds,
    )


def _split_group_kind(text: str) -> tuple[str, str]:
    group, _, kind = text.rpartition("/")
    return group, kind


def _join_group_kind(group: str, kind: str) -> str:
    return f"{group}/{kind}"


def snapshot_document(
    items: Iterable[dict[str, Any]],
    *,
    captured_at: datetime | None,
    context: str = "",
    server: str = "",
    gaps: Iterable[CoverageGap] = (),
    read_kinds: Iterable[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """Build the document to save. Secrets are redacted again here, so that a snapshot built
    from any source can never hold a value."""
    body = [redact_secret(dict(i)) if is_secret(i) else i for i in items]
    kinds = {(str(i.get("apiVersion", "")).rpartition("/")[0], str(i.get("kind", "")))
             for i in body}
    coverage: dict[str, Any] = {
        "objects": len(body),
        "kinds": len(kinds),
        "gaps": [g.to_json() for g in sorted(gaps, key=lambda g: (g.resource, g.reason))],
    }
    if read_kinds is not None:
        coverage["read"] = sorted(_join_group_kind(g, k) for g, k in read_kinds)
    source: dict[str, str] = {}
    if context:
        source["context"] = context
    if server:
        source["server"] = server
    return {
        "kind": SNAPSHOT_KIND,
        "version": SNAPSHOT_VERSION,
        "capturedAt": format_time(captured_at) if captured_at else None,
        "source": source,
        # Which key the digests of values read in this run were made with; digests carried
        # over from another snapshot name their own key.
        "digests": {"algorithm": digest.ALGORITHM, "key": digest.current().key_id},
        "coverage": coverage,
        "items": body,
    }


def write_snapshot(document: dict[str, Any], path: Path) -> None:
    data = orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    if path.name.endswith(".gz"):
        # mtime=0 keeps the bytes identical for identical content.
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)


def snapshot_from(snapshot: Snapshot, *, context: str = "", server: str = "") -> dict[str, Any]:
    """The document for an already-loaded snapshot (what ``kaudit snapshot`` saves)."""
    return snapshot_document(
        (o.raw for o in snapshot.objects),
        captured_at=snapshot.captured_at,
        context=context,
        server=server,
        gaps=snapshot.gaps,
        read_kinds=snapshot.read_kinds,
    )
