"""JUnit fails a case only for findings at or above ``--fail-on``: a GitLab or Jenkins test
report goes red exactly when the scan's exit code does."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.model import Family, Finding, ObjectRef, Severity
from kaudit.report import FORMATTERS, FormatOptions, Report
from kaudit.timeutil import parse_time
from tests.conftest import ROOT

RANK = {"info": 0, "warning": 1, "error": 2}


def _finding(severity: Severity, name: str) -> Finding:
    return Finding(code="ST004", rule="dangling-reference", family=Family.STATUS,
                   severity=severity, message=f"{severity.value} about {name}",
                   object=ObjectRef("v1", "ConfigMap", "shop", name))


def _cases(fail_on: str) -> dict[str, ET.Element]:
    findings = (_finding(Severity.ERROR, "e"), _finding(Severity.WARNING, "w"),
                _finding(Severity.INFO, "i"), _finding(Severity.INFO, "e"))
    report = Report(findings, parse_time("2024-06-01T12:00:00Z"), "option", (), 3, 1, (),
                    fail_on=fail_on)
    root = ET.fromstring(FORMATTERS["junit"](report, FormatOptions()))
    return {c.get("name"): c for c in root.iter("testcase")}


@pytest.mark.parametrize(("fail_on", "failing"), [
    ("error", {"ConfigMap/shop/e"}),
    ("warning", {"ConfigMap/shop/e", "ConfigMap/shop/w"}),
    ("info", {"ConfigMap/shop/e", "ConfigMap/shop/w", "ConfigMap/shop/i"}),
    ("never", set()),
])
def test_only_findings_at_or_above_fail_on_fail_a_case(fail_on: str, failing: set[str]) -> None:
    cases = _cases(fail_on)
    assert {n for n, c in cases.items() if c.find("failure") is not None} == failing
    for name, case in cases.items():
        failure, out = case.find("failure"), case.find("system-out")
        # Every finding is still shown: in the failure when it gates, else in system-out.
        shown = (failure.text if failure is not None else "") + (out.text if out is not None
                                                                 else "")
        assert f"about {name.rsplit('/', 1)[1]}" in shown
        if name not in failing:
            assert failure is None and out is not None


def test_failure_holds_the_gating_findings_and_system_out_the_rest() -> None:
    case = _cases("error")["ConfigMap/shop/e"]
    assert case.find("failure").get("type") == "error"
    assert "info about e" not in case.find("failure").text
    assert "info about e" in case.find("system-out").text


@pytest.mark.parametrize("fail_on", ["error", "warning", "info", "never"])
def test_junit_failures_agree_with_the_exit_code(fail_on: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["scan", "fixtures/golden/inputs", "--now",
                                      "2024-06-01T12:00:00Z", "--fail-on", fail_on,
                                      "-o", "junit"])
    root = ET.fromstring(result.stdout)
    failures = [c.find("failure") for c in root.iter("testcase")
                if c.find("failure") is not None]
    assert (result.exit_code == 1) == bool(failures)
    assert int(root.get("failures")) == len(failures)
    if fail_on != "never":
        assert all(RANK[f.get("type")] >= RANK[fail_on] for f in failures)
