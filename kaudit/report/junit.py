"""``-o junit``: JUnit XML as GitLab and Jenkins render test reports.

One ``testsuite`` per rule family, one ``testcase`` per rule and object (``classname`` the
rule, ``name`` the object, ``file`` where it was read); the findings of one rule on one object
are one ``failure`` (message and fix). Rules that ran without a finding are one passing case
each, so "N tests, M failures" counts what was checked, not only what broke.

A case fails only for findings at or above the run's ``--fail-on``: GitLab and Jenkins mark a
pipeline red on any failed case, and the report must not go red while the gate passes. A
finding below the threshold (an ``info`` under the default ``--fail-on error``; every finding
under ``--fail-on never``) is a passing case whose ``system-out`` carries its detail.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from kaudit.model import Family, Finding
from kaudit.report.locations import details, display_path, object_label, subject, where
from kaudit.report.model import Report, RuleInfo
from kaudit.report.options import FormatOptions

# XML 1.0 cannot carry most control characters, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
PASSING_NAME = "no finding"


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _case_name(finding: Finding) -> str:
    """``Kind/ns/name``, with the API group for objects outside the core group
    (``Service.serving.knative.dev/default/web``, as kubectl writes ``kind.group``): GitLab
    and Jenkins identify a case by class and name, so a Knative Service and a core Service of
    one name would otherwise be one case with one file."""
    if finding.object is None:
        return subject(finding)
    ref = finding.object
    if not ref.group:
        return object_label(ref)
    return object_label(ref._replace(kind=f"{ref.kind}.{ref.group}"))


def _details(finding: Finding, options: FormatOptions) -> list[str]:
    lines = [f"{finding.severity.value}: {finding.message}"]
    loc = where(finding.source, options.cwd)
    if loc:
        lines.append(f"  in {loc}")
    return lines + ["  " + d for d in details(finding, options.cwd)]


def _failure(case: ET.Element, findings: list[Finding], options: FormatOptions) -> None:
    first = findings[0]
    worst = max(findings, key=lambda f: f.severity.rank)
    message = first.message if len(findings) == 1 else (
        f"{len(findings)} findings: {first.message}")
    failure = ET.SubElement(case, "failure", message=_clean(message), type=worst.severity.value)
    failure.text = _clean("\n".join(line for f in findings for line in _details(f, options)))


def render_junit(report: Report, options: FormatOptions) -> str:
    rules = report.rule_infos()
    by_case: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_case[(f.code, _case_name(f))].append(f)
    families: dict[Family, list[RuleInfo]] = defaultdict(list)
    for rule in rules:
        families[rule.family].append(rule)

    root = ET.Element("testsuites", name="kaudit")
    total = failed = 0
    for family in Family:
        if family not in families:
            continue
        suite = ET.SubElement(root, "testsuite", name=family.value)
        tests = failures = 0
        for rule in families[family]:
            classname = f"{rule.code} {rule.name}"
            cases = sorted(name for code, name in by_case if code == rule.code)
            if not cases:
                ET.SubElement(suite, "testcase", classname=classname, name=PASSING_NAME,
                              time="0")
                tests += 1
                continue
            for name in cases:
                findings = by_case[(rule.code, name)]
                first = findings[0]
                attrs = {"classname": classname, "name": _clean(name)}
                if first.source is not None:
                    attrs["file"] = _clean(display_path(first.source.file, options.cwd))
                    if first.source.line is not None:
                        attrs["line"] = str(first.source.line)
                attrs["time"] = "0"
                case = ET.SubElement(suite, "testcase", attrs)
                gating = [f for f in findings if report.gates(f.severity)]
                if gating:
                    _failure(case, gating, options)
                    failures += 1
                shown = [f for f in findings if not report.gates(f.severity)]
                if shown:
                    ET.SubElement(case, "system-out").text = _clean("\n".join(
                        line for f in shown for line in _details(f, options)))
                tests += 1
        suite.attrib.update(tests=str(tests), failures=str(failures), errors="0",
                            skipped="0", time="0")
        total += tests
        failed += failures
    root.attrib.update(tests=str(total), failures=str(failed), errors="0", skipped="0",
                       time="0")
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")
