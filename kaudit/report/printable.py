"""Untrusted text made safe to show to people, in the formats people read.

Object names, namespaces, file names, finalizers and the messages that quote them come from
the inputs, and inputs are untrusted: a manifest is not validated by an API server before
kaudit reads it. Printed raw, an ESC sequence recolours or hides the rest of a terminal or CI
log line, a carriage return overwrites it, a newline forges a finding line
(``path:line: error …``) that editors and CI parsers pick up, and bidirectional overrides
show text in another order than it is (Trojan Source). The human formats (``table``,
``github``, ``markdown``, ``junit``) therefore render a copy of the report in which every
such character is written as its escape (``\\x1b``, ``\\n``, ``\\u202e``; the escaping itself is
``kaudit.textsafe.printable``, shared with the CLI's messages). JSON and SARIF
carry the data exactly; JSON's own escaping makes it inert there. A fix's JSON patch is left
as it is: its ``test`` value must match the object byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from functools import wraps
from typing import Any

from kaudit.model import Finding, ObjectRef, SourceLocation
from kaudit.report.model import Report
from kaudit.report.options import FormatOptions
from kaudit.textsafe import printable


def _strings(value: Any) -> Any:
    """A copy of a dataclass with every ``str`` field (and each ``str`` in a tuple field)
    printable; other fields as they are."""
    changes: dict[str, Any] = {}
    for f in fields(value):
        item = getattr(value, f.name)
        if isinstance(item, str):
            changes[f.name] = printable(item)
        elif isinstance(item, tuple) and all(isinstance(x, str) for x in item):
            changes[f.name] = tuple(printable(x) for x in item)
    return replace(value, **changes)


def _ref(ref: ObjectRef | None) -> ObjectRef | None:
    return None if ref is None else ObjectRef(*(printable(part) for part in ref))


def _source(source: SourceLocation | None) -> SourceLocation | None:
    return None if source is None else _strings(source)


def _extra(extra: tuple[tuple[str, Any], ...]) -> tuple[tuple[str, Any], ...]:
    return tuple((k, printable(v) if isinstance(v, str) else v) for k, v in extra)


def _finding(finding: Finding) -> Finding:
    """Every text a human format shows; not ``fix`` (a patch must match the object)."""
    related = tuple(replace(r, ref=_ref(r.ref), role=printable(r.role),
                            source=_source(r.source)) for r in finding.related)
    return replace(finding, message=printable(finding.message), object=_ref(finding.object),
                   pointer=printable(finding.pointer), related=related,
                   source=_source(finding.source), extra=_extra(finding.extra))


def printable_report(report: Report) -> Report:
    """A copy of ``report`` whose text fields are safe to print (see the module doc)."""
    suppressed = tuple(replace(s, finding=_finding(s.finding),
                               justification=printable(s.justification))
                       for s in report.suppressed)
    return replace(report, findings=tuple(_finding(f) for f in report.findings),
                   suppressed=suppressed, gaps=tuple(_strings(g) for g in report.gaps),
                   sources=tuple(_strings(s) for s in report.sources))


def for_people(render: Callable[[Report, FormatOptions], str]
               ) -> Callable[[Report, FormatOptions], str]:
    """``render`` given the printable copy of the report."""
    @wraps(render)
    def rendered(report: Report, options: FormatOptions) -> str:
        return render(printable_report(report), options)
    return rendered
