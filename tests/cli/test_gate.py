"""A CI gate must never pass by accident: no objects, unknown rules and baselines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from tests.conftest import FIXTURES

STUCK = str(FIXTURES / "inputs/stuck.yaml")
NOW = ["--now", "2024-06-01T12:00:00Z"]
LEVELS = ("error", "warning", "info")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# --- no Kubernetes object read ------------------------------------------------------------


def test_empty_stdin_is_exit_2_naming_stdin(runner: CliRunner) -> None:
    result = runner.invoke(app, ["scan", "-"], input="")
    assert result.exit_code == 2
    assert "no Kubernetes object read from stdin" in _one_line(result)
    assert "before the pipe" in result.stderr


def test_stdin_with_only_garbage_names_the_problem(runner: CliRunner) -> None:
    result = runner.invoke(app, ["scan", "-"], input="Error: chart not found\n")
    assert result.exit_code == 2
    line = _one_line(result)
    assert "stdin" in line and "<stdin>:1: not a Kubernetes object" in line


def test_empty_file_text_file_and_empty_folder(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    text = tmp_path / "notes.txt"
    text.write_text("just some prose\n")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "README.md").write_text("# nothing here\n")
    cases = {
        str(empty): f"no Kubernetes object read from {empty} ({empty} is empty)",
        str(text): f"no Kubernetes object read from {text} ({text}:1: not a Kubernetes",
        str(folder): f"no manifest files (*.yaml, *.yml, *.json) in {folder}",
    }
    for path, expected in cases.items():
        result = runner.invoke(app, ["scan", path, "--fail-on", "never"])
        assert result.exit_code == 2, path
        assert expected in _one_line(result)


def test_folder_of_comment_only_yaml(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("# all commented out\n---\n")
    result = runner.invoke(app, ["scan", str(tmp_path)])
    assert result.exit_code == 2
    assert f"no Kubernetes object read from {tmp_path}" in _one_line(result)


def test_a_kaudit_report_passed_as_input(runner: CliRunner, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(runner.invoke(app, ["scan", STUCK, *NOW, "--format", "json"]).stdout)
    result = runner.invoke(app, ["scan", str(report)])
    assert result.exit_code == 2
    assert "is a kaudit report, not manifests" in _one_line(result)


@pytest.mark.parametrize(("fmt", "expected"), [
    ("sarif", "is a SARIF report, not manifests"), ("junit", "is a JUnit report, not manifests")])
def test_other_reports_passed_as_input(runner: CliRunner, tmp_path: Path, fmt: str,
                                       expected: str) -> None:
    report = tmp_path / f"report.{fmt}"
    assert runner.invoke(app, ["scan", STUCK, *NOW, "-o", f"{fmt}={report}"]).exit_code == 1
    result = runner.invoke(app, ["scan", str(report)])
    assert result.exit_code == 2
    assert expected in _one_line(result)


@pytest.mark.parametrize("option", ["--against", "--previous"])
def test_an_empty_comparison_input_is_no_input(runner: CliRunner, tmp_path: Path,
                                               option: str) -> None:
    """An empty --against or --previous would silence the rules comparing with it."""
    empty = tmp_path / "cluster.json"
    empty.write_text("")
    result = runner.invoke(app, ["scan", STUCK, *NOW, option, str(empty)])
    assert result.exit_code == 2
    assert f"{option}: no Kubernetes object read from {empty} ({empty} is empty)" in \
        _one_line(result)


def test_objects_next_to_an_empty_file_still_scan(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert runner.invoke(app, ["scan", STUCK, str(empty), *NOW]).exit_code == 1


# --- unknown rules ----------------------------------------------------------------------


@pytest.mark.parametrize(("args", "expected"), [
    (["--select", "FN999"], "--select 'FN999': no rule has this code, code prefix or name; "
                            "did you mean one of FN001…FN005 (FN selects them all)?"),
    (["--ignore", "stuck-delection"], "did you mean stuck-deletion?"),
    (["--select", "FN001,ST00,bogus-rule"], "--select 'bogus-rule'"),
    (["--select", "XQ"], "see `kaudit rules list`"),
])
def test_unknown_rule_on_the_command_line(runner: CliRunner, args: list[str],
                                          expected: str) -> None:
    result = runner.invoke(app, ["scan", STUCK, *NOW, *args])
    assert result.exit_code == 2
    assert expected in _one_line(result)


def test_known_forms_still_select(runner: CliRunner) -> None:
    for token in ("fn", "FN00", "FN001", "stuck-deletion"):
        assert runner.invoke(app, ["scan", STUCK, *NOW, "--select", token]).exit_code == 1


@pytest.mark.parametrize(("toml", "expected"), [
    ('[rules.stuck-delition]\ngrace = "1h"\n', "[rules.stuck-delition] names no rule"),
    ('[rules.FN010]\nseverity = "info"\n', "[rules.FN010] names no rule"),
    ('ignore = ["ST999"]\n', "ignore 'ST999'"),
    ('select = ["finalizer"]\n', "select 'finalizer'"),
])
def test_unknown_rule_in_the_config(runner: CliRunner, tmp_path: Path, toml: str,
                                    expected: str) -> None:
    config = tmp_path / "kaudit.toml"
    config.write_text(toml)
    result = runner.invoke(app, ["scan", STUCK, *NOW, "--config", str(config)])
    assert result.exit_code == 2
    line = _one_line(result)
    assert expected in line and "did you mean" in line


# --- baselines ----------------------------------------------------------------------------


def _reason_less(tmp_path: Path) -> str:
    """An object whose ignore annotation has no reason: a KA004 finding of its own."""
    path = tmp_path / "annotated.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: shop\n"
                    "  annotations:\n    ignore.kaudit.io/stuck-deletion: ''\n")
    return str(path)


def test_json_report_as_baseline_passes_at_every_level(runner: CliRunner,
                                                       tmp_path: Path) -> None:
    inputs = ["--demo", _reason_less(tmp_path)]
    report = runner.invoke(app, ["scan", *inputs, "--format", "json"])
    assert report.exit_code == 1
    codes = {f["code"] for f in json.loads(report.stdout)["findings"]}
    assert "KA004" in codes  # the case that used to fail: suppression findings
    baseline = tmp_path / "baseline.json"
    baseline.write_text(report.stdout)
    for level in LEVELS:
        again = runner.invoke(app, ["scan", *inputs, "--baseline", str(baseline),
                                    "--fail-on", level, "--format", "json"])
        assert again.exit_code == 0, (level, again.stdout)
        assert json.loads(again.stdout)["findings"] == []  # nothing called stale either


def test_baseline_still_reports_new_and_stale(runner: CliRunner, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.txt"
    baseline.write_text("FN001:ConfigMap:gone/x:/metadata/finalizers/0\n")
    result = runner.invoke(app, ["scan", STUCK, *NOW, "--baseline", str(baseline),
                                 "--format", "json", "--fail-on", "info"])
    findings = json.loads(result.stdout)["findings"]
    assert result.exit_code == 1
    stale = [f for f in findings if f["code"] == "KA004"]
    assert [f["message"].split(" matched")[0] for f in stale] == [
        "baseline entry FN001:ConfigMap:gone/x:/metadata/finalizers/0"]
    assert any(f["code"] == "FN001" for f in findings)


def test_baseline_create_writes_a_baseline(runner: CliRunner, tmp_path: Path) -> None:
    inputs = ["--demo", _reason_less(tmp_path)]
    out = tmp_path / "kaudit-baseline.json"
    created = runner.invoke(app, ["baseline", "create", "-o", str(out), *inputs])
    assert created.exit_code == 0, created.stderr
    document = json.loads(out.read_text())
    assert document["kind"] == "KauditBaseline"
    report = json.loads(runner.invoke(app, ["scan", *inputs, "--format", "json"]).stdout)
    assert [e["fingerprint"] for e in document["findings"]] == sorted(
        {f["fingerprint"] for f in report["findings"]})
    for level in LEVELS:
        assert runner.invoke(app, ["scan", *inputs, "--baseline", str(out),
                                   "--fail-on", level]).exit_code == 0
    # Byte-identical when re-created on the same input.
    again = runner.invoke(app, ["baseline", "create", "-o", "-", *inputs])
    assert again.stdout == out.read_text()


def test_baseline_create_ignores_the_configured_baseline(runner: CliRunner,
                                                         tmp_path: Path) -> None:
    old = tmp_path / "old.txt"
    old.write_text("FN001:ConfigMap:legacy/billing-lease:/metadata/finalizers/0\n")
    config = tmp_path / "kaudit.toml"
    config.write_text(f'baseline = "{old.name}"\n')
    result = runner.invoke(app, ["baseline", "create", "-o", "-", "--demo",
                                 "--config", str(config)])
    fingerprints = [e["fingerprint"] for e in json.loads(result.stdout)["findings"]]
    assert "FN001:ConfigMap:legacy/billing-lease:/metadata/finalizers/0" in fingerprints
    assert not any("baseline entry" in f for f in fingerprints)


def test_baseline_create_usage_errors(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["baseline", "create", "-o", "-", "-"], input="").exit_code == 2
    assert runner.invoke(app, ["baseline", "create", "-o", "-", "--demo",
                               "--select", "FN999"]).exit_code == 2
    assert runner.invoke(app, ["baseline", "create", "--demo"]).exit_code == 2
