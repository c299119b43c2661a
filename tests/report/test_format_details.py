"""Format details the golden files cannot show on their own: GitHub's escaping, the Markdown
comment limit, and the JUnit structure GitLab and Jenkins read."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from kaudit.model import Family, Finding, ObjectRef, Severity, SourceLocation
from kaudit.report import FormatOptions, Report, RuleInfo
from kaudit.report.github import annotation, escape_data, escape_property
from kaudit.report.junit import PASSING_NAME, render_junit
from kaudit.report.markdown import LIMIT, render_markdown

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)


def finding(i: int, *, code: str = "FN001", severity: Severity = Severity.ERROR,
            message: str = "stuck", fix: bool = False) -> Finding:
    return Finding(code=code, rule="stuck-deletion", family=Family.FINALIZERS,
                   severity=severity, message=message,
                   object=ObjectRef("example.org/v1", "Widget", "shop", f"w{i:05d}"),
                   pointer="/metadata/finalizers/0",
                   fix=({"op": "remove", "path": "/metadata/finalizers/0"},) if fix else (),
                   source=SourceLocation("deploy/widgets.yaml", i + 1))


def report(findings: list[Finding], rules: tuple[RuleInfo, ...] = ()) -> Report:
    return Report(tuple(findings), NOW, "option", (), len(findings), 1, (), rules=rules)


def test_workflow_command_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a,b: c%\n") == "a%2Cb%3A c%25%0A"
    f = Finding(code="UQ001", rule="duplicate-object", family=Family.UNIQUE,
                severity=Severity.INFO, message="line one\nline two: 100%",
                source=SourceLocation("dir,x/a:b.yaml", 7))
    assert annotation(f, FormatOptions(cwd="/nowhere")) == (
        "::notice file=dir%2Cx/a%3Ab.yaml,line=7,title=UQ001 duplicate-object::"
        "line one%0Aline two: 100%25")


def test_github_severity_words() -> None:
    words = [annotation(finding(0, severity=s), FormatOptions()).split()[0]
             for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)]
    assert words == ["::error", "::warning", "::notice"]


def test_markdown_stays_under_the_comment_limit_and_says_so() -> None:
    many = [finding(i, message="x" * 300, fix=True) for i in range(2000)]
    text = render_markdown(report(many), FormatOptions())
    assert len(text) < LIMIT
    assert "**Truncated** to fit a comment" in text
    shown = text.count("| :red_circle: error | FN001")
    assert 100 < shown < 2000 and f"{2000 - shown} more finding(s)" in text
    assert text.count("<details>") == text.count("</details>") <= 1


def test_markdown_small_report_is_complete_with_fixes_folded() -> None:
    text = render_markdown(report([finding(1, fix=True), finding(2)]), FormatOptions())
    assert "Truncated" not in text
    assert "<details><summary>Fixes (1)</summary>" in text
    assert "[deploy/widgets.yaml:2](deploy/widgets.yaml#L2)" in text
    assert '"op": "remove"' in text


def test_junit_structure() -> None:
    rules = (RuleInfo("FN001", "stuck-deletion", Family.FINALIZERS, Severity.ERROR, "s", "d"),
             RuleInfo("FN002", "orphaned-finalizer", Family.FINALIZERS, Severity.ERROR, "", ""),
             RuleInfo("UQ001", "duplicate-object", Family.UNIQUE, Severity.ERROR, "", ""))
    two_on_one = [finding(1, fix=True), finding(1, message="second finalizer"), finding(2)]
    root = ET.fromstring(render_junit(report(two_on_one, rules), FormatOptions()))
    assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuites", "4", "2")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == ["unique", "finalizers"]
    cases = suites["finalizers"].findall("testcase")
    assert [(c.get("classname"), c.get("name"), c.get("file")) for c in cases] == [
        ("FN001 stuck-deletion", "Widget.example.org/shop/w00001", "deploy/widgets.yaml"),
        ("FN001 stuck-deletion", "Widget.example.org/shop/w00002", "deploy/widgets.yaml"),
        ("FN002 orphaned-finalizer", PASSING_NAME, None)]
    failure = cases[0].find("failure")
    assert failure.get("message") == "2 findings: stuck" and failure.get("type") == "error"
    assert "second finalizer" in failure.text and "fix (JSON patch)" in failure.text
    assert cases[2].find("failure") is None
    assert suites["unique"].find("testcase").get("name") == PASSING_NAME
