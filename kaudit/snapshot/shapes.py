"""Turn parsed documents into Kubernetes objects, whatever list shape they come in.

kubectl accepts a single object, ``kind: List``, typed lists (``ConfigMapList`` whose items may
lack ``kind``), untyped ``{metadata, items}`` dumps and top-level sequences; support bundles
and must-gather archives use all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kaudit.model import InputProblem, Severity, SourceLocation

SNAPSHOT_KIND = "KauditSnapshot"

# API meta documents (discovery output, errors) that support bundles store beside objects:
# they describe the API, they are not objects in it, and are skipped without a finding.
META_KINDS = frozenset({"APIResourceList", "APIGroupList", "APIGroup", "APIVersions", "Status",
                        "WatchEvent"})


@dataclass(slots=True)
class Expanded:
    objects: list[tuple[dict[str, Any], int | None]]
    problems: list[InputProblem]
    typeless: list[int | None]
    """Lines of objects that have metadata but no apiVersion/kind (collected per file)."""


def expand(data: Any, file: str, line: int | None, item_lines: list[int] | None) -> Expanded:
    out = Expanded([], [], [])
    _expand(data, file, line, item_lines, out)
    return out


def _expand(data: Any, file: str, line: int | None, item_lines: list[int] | None,
            out: Expanded) -> None:
    if data is None:
        return
    if isinstance(data, list):
        for i, item in enumerate(data):
            _one(item, file, _line_at(item_lines, i, line), None, None, out)
        return
    if not isinstance(data, dict):
        out.problems.append(InputProblem(
            SourceLocation(file, line),
            f"not a Kubernetes object: the document is a YAML {type(data).__name__}, not a mapping",
            Severity.WARNING,
        ))
        return
    kind = data.get("kind")
    items = data.get("items")
    if isinstance(items, list) and (
        (isinstance(kind, str) and kind.endswith("List")) or (not kind and "apiVersion" not in data)
    ):
        item_kind = kind[: -len("List")] if isinstance(kind, str) and kind != "List" else None
        item_api = data.get("apiVersion") if item_kind else None
        for i, item in enumerate(items):
            _one(item, file, _line_at(item_lines, i, line), item_kind, item_api, out)
        return
    _one(data, file, line, None, None, out)


def _one(item: Any, file: str, line: int | None, default_kind: str | None,
         default_api: str | None, out: Expanded) -> None:
    if not isinstance(item, dict):
        if item is not None:
            out.problems.append(InputProblem(
                SourceLocation(file, line),
                "not a Kubernetes object: a list item is a YAML "
                f"{type(item).__name__}, not a mapping",
                Severity.WARNING,
            ))
        return
    if default_kind and not item.get("kind"):
        # Typed lists from the API (`kubectl get --raw`) omit each item's TypeMeta.
        item = {"apiVersion": default_api, "kind": default_kind, **item}
    kind = item.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(item.get("items"), list):
        _expand(item, file, line, None, out)
        return
    if not isinstance(kind, str) or not kind or not isinstance(item.get("apiVersion"), str):
        meta = item.get("metadata")
        if isinstance(meta, dict) and meta.get("name"):
            out.typeless.append(line)
        else:
            out.problems.append(InputProblem(
                SourceLocation(file, line),
                "not a Kubernetes object: no apiVersion/kind and no metadata.name",
                Severity.WARNING,
            ))
        return
    meta = item.get("metadata")
    if kind in META_KINDS and not (isinstance(meta, dict) and meta.get("name")):
        return
    # Nameless objects (test fixtures, generateName templates) are still audited; they only
    # have no identity to conflict on.
    out.objects.append((item, line))


def _line_at(lines: list[int] | None, index: int, fallback: int | None) -> int | None:
    if lines is not None and index < len(lines):
        return lines[index]
    return fallback


def typeless_problem(file: str, lines: list[int | None]) -> InputProblem:
    first = next((ln for ln in lines if ln is not None), None)
    count = len(lines)
    noun = "object has" if count == 1 else "objects have"
    return InputProblem(
        SourceLocation(file, first),
        f"{count} {noun} metadata but no apiVersion/kind and cannot be audited "
        "(a dump written without TypeMeta?)",
        Severity.WARNING,
    )
