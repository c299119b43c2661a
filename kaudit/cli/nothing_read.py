"""Refuse to pass a gate on inputs that held no Kubernetes object.

``helm template … | kaudit scan -`` after a failed ``helm`` feeds kaudit an empty stdin; a
typo'd path glob hands it a README; a report gets passed where manifests were meant. Each
used to audit nothing and exit 0 -- a green CI gate that checked nothing. A scan of files
that yields no object at all is a usage error (exit 2) whose one line says what was read and
why it held no object, so the fix is obvious from the CI log.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kaudit.snapshot import Snapshot
from kaudit.snapshot.files import STDIN, NoInputError, load_snapshot

_REPORT_HEAD = 4096
"""Bytes read to recognise a kaudit JSON report: its first keys are version, now, sources."""


def check_objects_read(snapshot: Snapshot, paths: Sequence[str]) -> None:
    """``NoInputError`` with a one-line explanation when ``snapshot`` holds no object."""
    if len(snapshot):
        return
    raise NoInputError(describe(paths, snapshot))


def load_objects(paths: Sequence[str], option: str) -> Snapshot:
    """``--previous``/``--against`` inputs: an empty one would make the rules comparing with
    it quiet, a gate passed by accident like any other."""
    snapshot = load_snapshot(paths)
    if not len(snapshot):
        raise NoInputError(f"{option}: {describe(paths, snapshot)}")
    return snapshot


def describe(paths: Sequence[str], snapshot: Snapshot) -> str:
    named = ", ".join("stdin" if p == STDIN else p for p in paths) or "the inputs"
    reasons = [_why(p, snapshot) for p in paths]
    reasons = [r for r in reasons if r]
    problems = [f"{p.source}: {p.message}" for p in snapshot.problems]
    detail = "; ".join([*reasons, *problems[:3]])
    if len(problems) > 3:
        detail += f"; and {len(problems) - 3} more"
    return f"no Kubernetes object read from {named}" + (f" ({detail})" if detail else "")


def _why(path: str, snapshot: Snapshot) -> str:
    """What is wrong with one input as a whole, when that can be told cheaply."""
    if path == STDIN:
        if any(p.source.file == "<stdin>" for p in snapshot.problems):
            return ""
        return ("stdin was empty or held only comments: did the command before the pipe "
                "fail?")
    file = Path(path)
    if not file.is_file():
        return ""
    try:
        with file.open("rb") as handle:
            head = handle.read(_REPORT_HEAD)
    except OSError:
        return ""
    if not head.strip():
        return f"{path} is empty"
    start = head.lstrip()
    if start.startswith(b"{") and all(
            key in head for key in (b'"version"', b'"sources"', b'"coverage"')):
        return f"{path} is a kaudit report, not manifests: scan the inputs it was made from"
    if start.startswith(b"{") and b'"runs"' in head and b"sarif" in head.lower():
        return f"{path} is a SARIF report, not manifests: scan the inputs it was made from"
    if start.startswith(b"<"):
        kind = "a JUnit report" if b"<testsuite" in head else "XML"
        return f"{path} is {kind}, not manifests"
    return ""
