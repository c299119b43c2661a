"""The Markdown comment stays under GitHub's 65,536 characters whatever the input: hundreds
of coverage gaps (a live scan with little RBAC), one message longer than the limit, object
names with characters Markdown escapes (which lengthen the text)."""

from __future__ import annotations

from kaudit.model import CoverageGap, Family, Finding, ObjectRef, Severity
from kaudit.report import FORMATTERS, FormatOptions, Report
from kaudit.report.markdown import LIMIT
from kaudit.timeutil import parse_time


def duplicate(i: int, message: str, name: str = "cm") -> Finding:
    return Finding(code="UQ001", rule="duplicate-object", family=Family.UNIQUE,
                   severity=Severity.ERROR, message=message,
                   object=ObjectRef("v1", "ConfigMap", "ns", f"{name}-{i}"))


def render(findings: list[Finding], gaps: tuple[CoverageGap, ...] = ()) -> str:
    report = Report(tuple(findings), parse_time("2024-06-01T12:00:00Z"), "option", (),
                    len(findings), 1, gaps)
    return FORMATTERS["markdown"](report, FormatOptions())


def test_many_gaps_and_a_huge_message_stay_under_the_limit_and_rows_still_show() -> None:
    gaps = tuple(CoverageGap(f"widgets{i:04d}.example.org", "forbidden: " + "x" * 80)
                 for i in range(1000))
    text = render([duplicate(i, "m" * 70_000) for i in range(3)], gaps)
    assert len(text) <= LIMIT
    assert "more coverage gap(s)" in text
    assert text.count("| :red_circle: error | UQ001") == 3, "a long message is cut, not dropped"


def test_escaping_that_lengthens_names_is_counted() -> None:
    hostile = "|`*_[]~" * 200
    text = render([duplicate(i, "|" * 3000, hostile) for i in range(500)])
    assert len(text) <= LIMIT and "**Truncated** to fit a comment" in text
