"""``kaudit diff`` and ``kaudit scan --previous`` through typer's CliRunner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from kaudit.cli import app
from tests.conftest import FIXTURES

KOPF = FIXTURES / "scenarios/kopf-stale-handler"


def test_diff_json_is_deterministic_and_names_each_change() -> None:
    runner = CliRunner()
    args = ["diff", str(KOPF / "snapshot.yaml"), str(KOPF / "later.yaml"), "--format", "json"]
    first, second = runner.invoke(app, args), runner.invoke(app, args)
    assert first.exit_code == 1
    assert first.stdout == second.stdout
    objects = json.loads(first.stdout)["objects"]
    assert [(o["object"]["name"], o["change"]) for o in objects] == [
        ("logs-eu-1", "changed"), ("logs-us-2", "removed")]
    assert objects[0]["patch"] == [
        {"op": "replace", "path": "/status/lastCheckTime", "value": "2024-05-15T08:14:30Z"}]


def test_diff_of_identical_inputs_exits_0() -> None:
    result = CliRunner().invoke(app, ["diff", str(KOPF / "snapshot.yaml"),
                                      str(KOPF / "snapshot.yaml")])
    assert result.exit_code == 0
    assert result.stdout.startswith("no differences (5 objects unchanged")


def test_diff_table_lists_patch_operations() -> None:
    result = CliRunner().invoke(app, ["diff", str(KOPF / "snapshot.yaml"),
                                      str(KOPF / "later.yaml")])
    assert "replace /status/lastCheckTime = \"2024-05-15T08:14:30Z\"" in result.stdout


def test_diff_missing_input_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["diff", str(KOPF / "snapshot.yaml"), "nope.yaml"])
    assert result.exit_code == 2


def test_scan_previous_turns_a_persisting_kopf_mismatch_into_an_error() -> None:
    runner = CliRunner()
    base = ["scan", str(KOPF / "later.yaml"), "--now", "2024-05-15T08:15:00Z",
            "--select", "ST006", "--format", "json"]
    alone = json.loads(runner.invoke(app, base).stdout)["findings"]
    assert [f["severity"] for f in alone] == ["warning"]
    result = runner.invoke(app, [*base, "--previous", str(KOPF / "snapshot.yaml")])
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["severity"] == "error"
    assert "resourceVersion 88410452 -> 88431907" in finding["message"]


def test_scan_previous_that_cannot_be_read_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["scan", str(KOPF / "later.yaml"), "--previous",
                                      "nope.yaml"])
    assert result.exit_code == 2
