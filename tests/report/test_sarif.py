"""SARIF: valid against the official 2.1.0 schema (vendored from oasis-tcs/sarif-spec,
``sarif-2.1/schema/sarif-schema-2.1.0.json``), and carrying what code scanning needs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.rules.registry import load_catalogue
from tests.conftest import ROOT
from tests.report.test_formats import ARGS

SCHEMA = json.loads((ROOT / "fixtures/schemas/sarif-schema-2.1.0.json").read_text())


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def sarif(*args: str) -> dict:
    result = CliRunner().invoke(app, ["scan", *args, "-o", "sarif"])
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_the_vendored_schema_is_the_official_one() -> None:
    assert SCHEMA["id"] == ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/"
                            "schemas/sarif-schema-2.1.0.json")
    assert SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]
    # Byte for byte the file the OASIS TC publishes (sha256 of the upstream file).
    digest = hashlib.sha256((ROOT / "fixtures/schemas/sarif-schema-2.1.0.json").read_bytes())
    assert digest.hexdigest() == (
        "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e")


@pytest.mark.parametrize("args", [ARGS, ["--demo"], ["fixtures/inputs/clean.yaml"]],
                         ids=["golden", "demo", "clean"])
def test_validates_against_the_schema(args: list[str]) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(sarif(*args))


def test_an_invalid_log_is_refused_by_the_validator() -> None:
    """The check is not vacuous: a result without a message breaks the schema."""
    log = sarif(*ARGS)
    del log["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(log)


def test_driver_describes_every_rule_that_ran() -> None:
    (run,) = sarif(*ARGS)["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "kaudit" and driver["version"] and driver["informationUri"]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == ["FN001", "KA001", "KA002", "KA003", "KA004", "SC002", "ST004", "UQ001"]
    fn001 = driver["rules"][0]
    assert fn001["name"] == "stuck-deletion"
    assert fn001["defaultConfiguration"] == {"level": "error"}
    rule = load_catalogue().by_code("FN001")
    assert fn001["shortDescription"]["text"] == rule.summary().replace("``", "`")
    assert "``" not in fn001["help"]["text"]
    assert "\n\n**Fix:**" in fn001["help"]["markdown"]
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def by_rule(run: dict, code: str) -> list[dict]:
    return [r for r in run["results"] if r["ruleId"] == code]


def test_results_locate_the_file_and_the_object() -> None:
    (run,) = sarif(*ARGS)["runs"]
    (stuck,) = [r for r in by_rule(run, "FN001") if "suppressions" not in r]
    assert stuck["level"] == "error"
    (location,) = stuck["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "fixtures/golden/inputs/a.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 11}}
    assert location["logicalLocations"] == [{
        "name": "stuck-too", "fullyQualifiedName": "example.org/v1/Widget/shop/stuck-too",
        "kind": "resource"}]
    assert stuck["partialFingerprints"] == {
        "kauditFingerprint/v1": "FN001:example.org/Widget:shop/stuck-too:/metadata/finalizers/0"}
    assert stuck["properties"]["fix"]["patch"][-1] == {"op": "remove",
                                                       "path": "/metadata/finalizers/0"}
    for result in run["results"]:
        assert result["locations"][0]["logicalLocations"], result


def test_a_duplicate_names_both_files() -> None:
    (run,) = sarif(*ARGS)["runs"]
    (dup,) = by_rule(run, "UQ001")
    assert dup["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "fixtures/golden/inputs/b%2C%20c.yaml")
    (related,) = dup["relatedLocations"]
    assert related["physicalLocation"] == {
        "artifactLocation": {"uri": "fixtures/golden/inputs/a.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 20}}
    assert related["logicalLocations"][0]["fullyQualifiedName"] == "core/v1/ConfigMap/shop/settings"


def test_suppressed_findings_are_dismissed_not_lost() -> None:
    (run,) = sarif(*ARGS)["runs"]
    suppressed = {r["ruleId"]: r["suppressions"] for r in run["results"] if "suppressions" in r}
    assert suppressed["ST004"][0]["kind"] == "inSource"
    assert suppressed["ST004"][0]["justification"] == "owner is recreated by the nightly job"
    assert suppressed["FN001"][0]["kind"] == "external"


def test_gaps_and_unreadable_documents_are_notifications(tmp_path: Path) -> None:
    (run,) = sarif(*ARGS)["runs"]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is True
    (note,) = invocation["toolExecutionNotifications"]
    assert note["descriptor"] == {"id": "KA001"}
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": 52}
    assert invocation["properties"]["config"] is None
    (demo,) = sarif("--demo")["runs"]
    notes = demo["invocations"][0]["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["KA002"]
    assert notes[0]["properties"]["resource"] == "secrets (kube-system)"


def test_invocation_names_the_config(tmp_path: Path) -> None:
    config = tmp_path / ".kaudit.toml"
    config.write_text('fail-on = "never"\n')
    (run,) = sarif("fixtures/inputs/clean.yaml", "--config", str(config))["runs"]
    assert run["invocations"][0]["properties"]["config"] == {
        "path": str(config), "sha256": hashlib.sha256(config.read_bytes()).hexdigest(),
        "discovered": False}


def test_inputs_that_are_not_files_are_located_by_their_logical_path() -> None:
    """GitHub refuses an upload whose results lack an artifact URI, so an object from no
    file gets its logical path under ``%KUBERNETES%``, not a file under the source root."""
    (run,) = sarif("--demo")["runs"]
    assert run["results"]
    for result in run["results"]:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%KUBERNETES%"
        assert physical["region"] == {"startLine": 1}
        logical = result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        assert unquote(physical["artifactLocation"]["uri"]) == logical
