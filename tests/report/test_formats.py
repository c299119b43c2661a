"""Every report format: golden files, determinism, and the same findings as ``json``.

The golden inputs (``fixtures/golden/inputs``) hold a finding of each shape a format must
carry: a fix patch, a duplicate across two files (one with a comma in its name), an object name
with ``|`` and ``%``, an annotation suppression with a reason, a baseline suppression, a stale
baseline entry, a broken document, and rules that ran without a finding.
``python -m pytest tests/report --update-expected`` rewrites the golden files; review the diff.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.report import FORMATTERS
from tests.conftest import ROOT

GOLDEN = ROOT / "fixtures/golden"
INPUTS = "fixtures/golden/inputs"
ARGS = [INPUTS, "--now", "2024-06-01T12:00:00Z", "--fail-on", "never",
        "--baseline", "fixtures/golden/baseline.txt",
        "--select", "FN001,UQ001,ST004,SC002,KA"]
SUFFIX = {"table": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "github": "txt",
          "markdown": "md", "prometheus": "prom"}


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths in reports are relative to the working directory: run from the repo root, with
    no CI environment leaking in."""
    monkeypatch.chdir(ROOT)
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY",
                 "GITHUB_SHA", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


def render(fmt: str, *extra: str) -> str:
    result = CliRunner().invoke(app, ["scan", *ARGS, "-o", fmt, *extra])
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def reports() -> dict[str, str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA", "FORCE_COLOR"):
            mp.delenv(name, raising=False)
        return {fmt: render(fmt) for fmt in FORMATTERS}


@pytest.mark.parametrize("fmt", list(FORMATTERS))
def test_golden_and_byte_identical(fmt: str, reports: dict[str, str],
                                   update_expected: bool) -> None:
    golden = GOLDEN / f"scan.{fmt}.{SUFFIX[fmt]}"
    assert render(fmt) == reports[fmt], "two runs over the same input differ"
    # SARIF names the working directory as an absolute URI (originalUriBaseIds): the one
    # part of a report that depends on where the checkout is.
    text = reports[fmt].replace(ROOT.resolve().as_uri() + "/", "file:///CHECKOUT/")
    if update_expected:
        golden.write_text(text)
    assert text == golden.read_text()


def test_every_format_is_in_the_golden_set() -> None:
    """A format added to FORMATTERS without golden coverage fails here."""
    assert set(SUFFIX) == set(FORMATTERS)


# ---- same findings as json ------------------------------------------------------------------

def _json(reports: dict[str, str]) -> dict:
    return json.loads(reports["json"])


def test_sarif_has_the_json_findings_plus_the_suppressed(reports: dict[str, str]) -> None:
    sarif = json.loads(reports["sarif"])
    results = sarif["runs"][0]["results"]
    shown = Counter((r["ruleId"], r["partialFingerprints"]["kauditFingerprint/v1"])
                    for r in results if "suppressions" not in r)
    expected = Counter((f["code"], f["fingerprint"]) for f in _json(reports)["findings"])
    assert shown == expected
    assert len([r for r in results if "suppressions" in r]) == 2


def test_junit_reports_once_per_json_rule_and_object(reports: dict[str, str]) -> None:
    # Under --fail-on never nothing fails: each finding is a passing case with its detail in
    # system-out (tests/report/test_junit_threshold.py covers the thresholds).
    root = ET.fromstring(reports["junit"])
    assert root.get("failures") == "0"
    failed = Counter(case.get("classname").split()[0] for case in root.iter("testcase")
                     if case.find("system-out") is not None)
    objects = {(f["code"], json.dumps(f["object"]) if f["object"] else f["fingerprint"])
               for f in _json(reports)["findings"]}
    assert failed == Counter(code for code, _ in objects)


def test_github_annotates_every_json_finding(reports: dict[str, str]) -> None:
    lines = reports["github"].splitlines()
    titles = Counter(re.search(r"title=(\w+) ", line).group(1) for line in lines)
    assert titles == Counter(f["code"] for f in _json(reports)["findings"])


def test_markdown_lists_every_json_finding(reports: dict[str, str]) -> None:
    rows = [line for line in reports["markdown"].splitlines()
            if re.match(r"\| :\w+: (error|warning|info) \| [A-Z]{2}\d{3} ", line)]
    assert Counter(row.split(" | ")[1].split()[0] for row in rows) == Counter(
        f["code"] for f in _json(reports)["findings"])


def test_table_lines_list_every_json_finding(reports: dict[str, str]) -> None:
    heads = re.findall(r"^(?:\S.*?: )?(error|warning|info) ([A-Z]{2}\d{3})[ :]",
                       reports["table"], re.MULTILINE)
    assert Counter(code for _, code in heads) == Counter(
        f["code"] for f in _json(reports)["findings"])
