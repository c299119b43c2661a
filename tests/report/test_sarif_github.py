"""SARIF as GitHub code scanning ingests it, over every fixture kaudit ships.

GitHub's documented SARIF support and its upload errors: a result without
``physicalLocation.artifactLocation.uri`` fails the whole upload ("locationFromSarifResult:
expected artifact location"), an alert is placed by ``region.startLine``, ``ruleIndex`` must
point at the ``rules[]`` entry of the ``ruleId``, a run holds at most 25,000 results. Every
rule fixture folder, incident and scenario is scanned, validated against the vendored
SARIF 2.1.0 schema, and checked for those requirements.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.model import Family, Finding, ObjectRef, Severity
from kaudit.report import Report
from kaudit.report.options import FormatOptions
from kaudit.report.sarif import MAX_RESULTS, sarif_log
from tests.conftest import FIXTURES, ROOT

SCHEMA = json.loads((FIXTURES / "schemas/sarif-schema-2.1.0.json").read_text())
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _cases() -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for folder in sorted((FIXTURES / "rules").iterdir()):
        spec = yaml.safe_load((folder / "expected.yaml").read_text()) or {}
        args = [str(folder / n) for n in ("flag.yaml", "healthy.yaml") if (folder / n).exists()]
        if (folder / "against.yaml").exists():
            args += ["--against", str(folder / "against.yaml")]
        if spec.get("kube_version"):
            args += ["--kube-version", str(spec["kube_version"])]
        args += ["--now", str(spec.get("now", "2024-06-01T12:00:00Z"))]
        out.append((f"rules/{folder.name}", args))
    for base in ("incidents", "scenarios"):
        for spec_file in sorted((FIXTURES / base).glob("*/expected.yaml")):
            folder = spec_file.parent
            spec = yaml.safe_load(spec_file.read_text())
            args = [str(folder / p) for p in spec["scan"]]
            for live in spec.get("against", []):
                args += ["--against", str(folder / live)]
            args += ["--now", str(spec.get("now", "2024-06-01T12:00:00Z"))]
            out.append((f"{base}/{folder.name}", args))
    return out


CASES = _cases()


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def check_github_ingestion(log: dict[str, Any]) -> None:
    """What GitHub code scanning needs beyond the schema."""
    assert len(log["runs"]) <= 20
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    bases = set(run.get("originalUriBaseIds", {}))
    assert len(run["results"]) <= MAX_RESULTS
    for rule in rules:
        assert rule["id"] and rule["shortDescription"]["text"] and rule["help"]["text"]
        assert len(rule.get("properties", {}).get("tags", [])) <= 20
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        assert result["partialFingerprints"]
        assert 1 <= len(result["locations"]) <= 1000
        for location in result["locations"] + result.get("relatedLocations", []):
            physical = location["physicalLocation"]
            artifact = physical["artifactLocation"]
            assert artifact["uri"], location
            assert physical["region"]["startLine"] >= 1
            if "uriBaseId" in artifact:
                assert artifact["uriBaseId"] in bases
                assert not _SCHEME.match(artifact["uri"]), "a relative URI, no scheme"
            else:
                assert artifact["uri"].startswith("file:///"), artifact


@pytest.mark.parametrize("args", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_every_fixture_scan_is_valid_sarif_github_ingests(args: list[str]) -> None:
    first = CliRunner().invoke(app, ["scan", *args, "-o", "sarif"])
    assert first.exit_code in (0, 1), first.stderr
    log = json.loads(first.stdout)
    VALIDATOR.validate(log)
    check_github_ingestion(log)
    again = CliRunner().invoke(app, ["scan", *args, "-o", "sarif"])
    assert again.stdout == first.stdout, "two runs over the same input differ"


def test_stdin_objects_are_located_and_ingestible() -> None:
    text = (FIXTURES / "rules/UQ001-duplicate-object/flag.yaml").read_text()
    result = CliRunner().invoke(app, ["scan", "-", "-o", "sarif"], input=text)
    log = json.loads(result.stdout)
    VALIDATOR.validate(log)
    check_github_ingestion(log)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]
            for r in log["runs"][0]["results"]]
    assert uris and all(u["uriBaseId"] == "%KUBERNETES%" for u in uris)


def test_names_with_colons_stay_relative_uris() -> None:
    """``system:…`` RBAC names would read as a URI scheme unencoded; GitHub rejects those."""
    ref = ObjectRef("rbac.authorization.k8s.io/v1", "ClusterRole", None, "system:auth")
    finding = Finding(code="UQ001", rule="duplicate-object", family=Family.UNIQUE,
                      severity=Severity.ERROR, object=ref, message="twice")
    report = Report([finding], None, "clock", (), 1, 1, (), ())
    log = sarif_log(report, FormatOptions())
    check_github_ingestion(log)
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]
    assert artifact["uri"] == "rbac.authorization.k8s.io/v1/ClusterRole/system%3Aauth"


def test_more_results_than_github_accepts_keeps_the_most_severe() -> None:
    def finding(i: int, severity: Severity) -> Finding:
        ref = ObjectRef("v1", "ConfigMap", "ns", f"cm-{i:05d}")
        return Finding(code="UQ001", rule="duplicate-object", family=Family.UNIQUE,
                       severity=severity, object=ref, message="twice")
    findings = [finding(i, Severity.INFO) for i in range(MAX_RESULTS)]
    findings += [finding(MAX_RESULTS + i, Severity.ERROR) for i in range(10)]
    report = Report(findings, None, "clock", (), len(findings), 1, (), ())
    log = sarif_log(report, FormatOptions())
    (run,) = log["runs"]
    assert len(run["results"]) == MAX_RESULTS
    assert sum(r["level"] == "error" for r in run["results"]) == 10
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("10 least severe results left out" in n["message"]["text"] for n in notes)
