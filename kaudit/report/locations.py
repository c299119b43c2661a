"""Names for where a finding is, shared by every format so that no two formats disagree.

A finding's ``source.file`` is the path as the user typed it, or a display name for inputs
that are not files (``<stdin>``, ``kaudit:demo-snapshot.yaml``): those never become links or
artifact URIs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote

import orjson

from kaudit.model import Finding, ObjectRef, SourceLocation
from kaudit.report.srcroot import source_root

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def is_file(name: str) -> bool:
    """A real file path, not ``<stdin>`` or a ``kaudit:`` in-memory input."""
    if name.startswith("<"):
        return False
    return not (_SCHEME.match(name) and not _DRIVE.match(name))


def relative_path(name: str, cwd: str | None) -> str | None:
    """``name`` relative to ``cwd`` in POSIX form, or ``None`` when it lies outside it (or is
    not a file). Relative inputs are taken as typed, relative to ``cwd``."""
    if not is_file(name):
        return None
    path = Path(name)
    if not path.is_absolute():
        parts = PurePosixPath(path.as_posix()).parts
        return None if ".." in parts else PurePosixPath(*parts).as_posix() if parts else None
    base = Path(cwd or os.getcwd()).resolve()
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return None


def display_path(name: str, cwd: str | None) -> str:
    """The path to print: relative to ``cwd`` when inside it, else as given."""
    return relative_path(name, cwd) or name


def uri(name: str, cwd: str | None, root: Path | None = None
        ) -> tuple[str, str | None] | None:
    """(URI, uriBaseId) for SARIF: relative to the source root ``root`` (``cwd`` when
    ``None``; ``cwd`` must lie inside it), else an absolute ``file:`` URI; ``None`` for
    inputs that are not files."""
    if not is_file(name):
        return None
    base = Path(cwd or os.getcwd()).resolve()
    root = root or base
    rel = relative_path(name, cwd)
    if rel is not None:
        # Typed relative to ``cwd``: kept as typed (no symlink resolved), under cwd's place
        # in the root.
        inside = PurePosixPath(base.relative_to(root).as_posix(), rel).as_posix()
        return quote(inside.removeprefix("./")), "%SRCROOT%"
    path = Path(os.path.abspath(base / name)).resolve()
    try:
        return quote(path.relative_to(root).as_posix()), "%SRCROOT%"
    except ValueError:
        return path.as_uri(), None


def repo_path(name: str, cwd: str | None) -> str | None:
    """``name`` relative to the git work tree holding ``cwd`` (else ``cwd``), unquoted, or
    ``None`` when it lies outside it or is not a file: what GitHub annotations and blob links
    expect, since GitHub reads their paths from the repository root whatever folder the scan
    ran in."""
    if not is_file(name):
        return None
    found = uri(name, cwd, source_root(cwd))
    if found is None or found[1] is None:
        return None
    return unquote(found[0])


def object_label(ref: ObjectRef) -> str:
    """``Kind/namespace/name`` (``Kind/name`` when cluster-scoped), as in compiler-style
    lines; the kind as the API spells it."""
    return f"{ref.kind}/{ref.namespace}/{ref.name}" if ref.namespace else f"{ref.kind}/{ref.name}"


def logical_name(ref: ObjectRef) -> str:
    """``group/version/kind/namespace/name``; the core group is ``core`` and a
    cluster-scoped object has no namespace segment."""
    group, _, version = ref.api_version.rpartition("/")
    parts = [group or "core", version, ref.kind]
    if ref.namespace:
        parts.append(ref.namespace)
    parts.append(ref.name)
    return "/".join(parts)


def subject(finding: Finding) -> str:
    """What an object-less finding is about: its file, or the subject it names."""
    if finding.source is not None:
        return str(finding.source)
    return str(dict(finding.extra).get("subject", "")) or finding.code


def where(source: SourceLocation | None, cwd: str | None) -> str:
    """``path:line`` for printing, or ``""``."""
    if source is None:
        return ""
    path = display_path(source.file, cwd)
    return f"{path}:{source.line}" if source.line is not None else path


def details(finding: Finding, cwd: str | None, *, fix: bool = True) -> list[str]:
    """The lines under a finding: where in the object, the other objects it names (with
    their files: both sides of a duplicate), and (``fix``) the fix as a JSON patch."""
    out: list[str] = []
    if finding.pointer:
        out.append(f"at {finding.pointer}")
    for rel in finding.related:
        loc = where(rel.source, cwd)
        out.append(f"{rel.role}: {rel.ref.short}" + (f" ({loc})" if loc else ""))
    if fix and finding.fix:
        out.append("fix (JSON patch): " + orjson.dumps(list(finding.fix)).decode())
    return out
