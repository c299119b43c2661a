"""JUnit cases as GitLab and Jenkins identify them: by class and name. Objects that share a
kind, namespace and name but not an API group are different cases, each with its own file."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kaudit.model import Family, Finding, ObjectRef, Severity, SourceLocation
from kaudit.report import FORMATTERS, FormatOptions, Report
from kaudit.timeutil import parse_time


def dangling(api_version: str, file: str) -> Finding:
    return Finding(code="ST004", rule="dangling-reference", family=Family.STATUS,
                   severity=Severity.WARNING, message="owner gone",
                   object=ObjectRef(api_version, "Service", "default", "web"),
                   source=SourceLocation(file, 1))


def test_same_kind_and_name_in_two_groups_are_two_cases() -> None:
    findings = (dangling("v1", "core.yaml"), dangling("serving.knative.dev/v1", "knative.yaml"))
    report = Report(findings, parse_time("2024-06-01T12:00:00Z"), "option", (), 2, 1, (),
                    fail_on="warning")
    root = ET.fromstring(FORMATTERS["junit"](report, FormatOptions()))
    cases = [(c.get("name"), c.get("file")) for c in root.iter("testcase")
             if c.find("failure") is not None]
    assert cases == [("Service.serving.knative.dev/default/web", "knative.yaml"),
                     ("Service/default/web", "core.yaml")]
    assert len({name for name, _ in cases}) == len(findings)
