"""``kaudit scan MANIFESTS --against SNAPSHOT`` through typer's CliRunner: the manifests are
what is about to be applied, the ``--against`` input is the cluster they are applied to."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.snapshot.archive import snapshot_document, write_snapshot
from tests.conftest import FIXTURES

SC003 = FIXTURES / "rules/SC003-stored-version-dropped"
MANIFESTS = str(SC003 / "flag.yaml")
LIVE = str(SC003 / "against.yaml")
BASE = ["scan", MANIFESTS, "--select", "SC003", "--format", "json",
        "--now", "2024-06-01T12:00:00Z"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def errors(report: dict) -> list[tuple[str, str, str]]:
    return [(f["object"]["name"], f["pointer"], f"{f['source']['file']}:{f['source']['line']}")
            for f in report["findings"] if f["severity"] == "error"]


def test_against_turns_a_dropped_stored_version_into_a_failing_gate(runner: CliRunner) -> None:
    without = runner.invoke(app, BASE)
    assert without.exit_code == 0, without.output  # only the status-form warnings
    result = runner.invoke(app, [*BASE, "--against", LIVE])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert errors(report) == [("flag-upgrades.example.io", "/spec/versions",
                               f"{MANIFESTS}:33")]
    [error] = [f for f in report["findings"] if f["severity"] == "error"]
    assert 'Invalid value: "v1beta1": must appear in spec.versions' in error["message"]
    assert report["sources"] == [{"type": "files", "paths": [MANIFESTS]},
                                 {"type": "against", "paths": [LIVE]}]
    # Only the manifests are audited: the live objects are not counted or reported on.
    assert report["coverage"]["objects"] == 4
    assert {f["object"]["name"] for f in report["findings"]} == {
        "flag-reports.example.io", "flag-jobs.example.io", "flag-upgrades.example.io",
        "flag-retiring.example.io"}


def test_against_output_is_byte_identical(runner: CliRunner) -> None:
    first = runner.invoke(app, [*BASE, "--against", LIVE]).stdout
    assert first == runner.invoke(app, [*BASE, "--against", LIVE]).stdout


def test_against_a_saved_snapshot_or_a_folder(runner: CliRunner, tmp_path: Path) -> None:
    items = list(yaml.safe_load_all(Path(LIVE).read_text()))
    saved = tmp_path / "prod.json.gz"
    write_snapshot(snapshot_document(items, captured_at=datetime(2024, 5, 1, tzinfo=UTC),
                                     context="prod"), saved)
    folder = tmp_path / "dump"
    folder.mkdir()
    (folder / "crds.yaml").write_text(Path(LIVE).read_text())
    for target in (str(saved), str(folder)):
        result = runner.invoke(app, [*BASE, "--against", target])
        assert result.exit_code == 1, result.output
        report = json.loads(result.stdout)
        assert [e[0] for e in errors(report)] == ["flag-upgrades.example.io"]
        # The snapshot's capture time is the live cluster's, not the manifests': --now rules.
        assert report["now"] == "2024-06-01T12:00:00Z"
    saved_report = json.loads(runner.invoke(app, [*BASE, "--against", str(saved)]).stdout)
    assert saved_report["sources"][1]["type"] == "against"
    assert saved_report["sources"][1]["paths"] == [str(saved)]


def test_against_in_the_table_header(runner: CliRunner) -> None:
    result = runner.invoke(app, ["scan", MANIFESTS, "--select", "SC003", "--against", LIVE,
                                 "--now", "2024-06-01T12:00:00Z"])
    assert result.exit_code == 1
    assert f"from {MANIFESTS} (against {LIVE});" in " ".join(result.stdout.split())


def test_against_usage_errors(runner: CliRunner, tmp_path: Path) -> None:
    no_path = runner.invoke(app, ["scan", "--against", LIVE])
    assert no_path.exit_code == 2 and "give the manifests (PATH)" in no_path.stderr
    both = runner.invoke(app, [*BASE, "--against", LIVE, "--against-context", "prod"])
    assert both.exit_code == 2 and "not both" in both.stderr
    missing = runner.invoke(app, [*BASE, "--against", str(tmp_path / "absent.yaml")])
    assert missing.exit_code == 2
    # --context still means "scan this cluster", which makes no sense next to PATH.
    context = runner.invoke(app, [*BASE, "--context", "prod"])
    assert context.exit_code == 2 and "without PATH" in context.stderr


def test_against_context_without_a_kubeconfig(runner: CliRunner, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    result = runner.invoke(app, [*BASE, "--against-context", "prod"])
    assert result.exit_code == 2
    assert "--against-context prod:" in result.stderr
    assert "or --demo" not in result.stderr
