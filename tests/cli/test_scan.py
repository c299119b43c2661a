"""``kaudit scan`` through typer's CliRunner: one call, one exact assertion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from tests.conftest import FIXTURES

STUCK = str(FIXTURES / "inputs/stuck.yaml")
CLEAN = str(FIXTURES / "inputs/clean.yaml")
NOW = ["--now", "2024-06-01T12:00:00Z"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def scan(runner: CliRunner, *args: str, stdin: str | None = None):
    return runner.invoke(app, ["scan", *args], input=stdin)


def test_exit_1_when_findings_reach_the_threshold(runner: CliRunner) -> None:
    assert scan(runner, STUCK, *NOW).exit_code == 1


def test_exit_0_below_the_threshold_or_with_never(runner: CliRunner) -> None:
    assert scan(runner, CLEAN, *NOW).exit_code == 0
    assert scan(runner, STUCK, *NOW, "--fail-on", "never").exit_code == 0


def test_fail_on_warning_counts_warnings(runner: CliRunner, tmp_path: Path) -> None:
    rs = tmp_path / "rs.yaml"
    rs.write_text(Path(CLEAN).read_text() + "---\napiVersion: apps/v1\nkind: ReplicaSet\n"
                  "metadata:\n  name: r\n  namespace: shop\n  ownerReferences:\n"
                  "  - {apiVersion: apps/v1, kind: Deployment, name: gone, uid: u1}\n")
    assert scan(runner, str(rs), *NOW).exit_code == 0
    assert scan(runner, str(rs), *NOW, "--fail-on", "warning").exit_code == 1


def test_exit_2_on_usage_errors(runner: CliRunner, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    # No PATH means "the current kubeconfig context": with none to be found, a usage error.
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    result = scan(runner)
    assert result.exit_code == 2 and "or --demo" in result.stderr
    assert scan(runner, str(tmp_path / "missing.yaml")).exit_code == 2
    assert scan(runner, STUCK, "--format", "xml").exit_code == 2
    assert scan(runner, STUCK, "--fail-on", "fatal").exit_code == 2
    assert scan(runner, STUCK, "--now", "yesterday").exit_code == 2
    assert scan(runner, STUCK, "--rules-dir", str(FIXTURES / "rules-dirs/broken")).exit_code == 2


def test_exit_3_when_a_rule_crashes_and_others_still_report(runner: CliRunner) -> None:
    result = scan(runner, STUCK, *NOW, "--format", "json",
                  "--rules-dir", str(FIXTURES / "rules-dirs/crashing"))
    assert result.exit_code == 3
    assert sorted({f["code"] for f in json.loads(result.stdout)["findings"]}) == ["FN001", "KA003"]


def test_json_report_shape(runner: CliRunner) -> None:
    result = scan(runner, STUCK, *NOW, "--format", "json", "--select", "FN001")
    report = json.loads(result.stdout)
    assert list(report) == ["version", "now", "sources", "config", "coverage", "findings",
                            "summary"]
    assert report["now"] == "2024-06-01T12:00:00Z"
    assert report["config"] is None
    assert report["sources"] == [{"type": "files", "paths": [STUCK]}]
    assert report["coverage"] == {"objects": 2, "kinds": 2, "gaps": []}
    assert report["summary"] == {"error": 1, "warning": 0, "info": 0}
    assert report["findings"][0] == {
        "code": "FN001", "rule": "stuck-deletion", "family": "finalizers", "severity": "error",
        "object": {"apiVersion": "example.org/v1", "kind": "Widget", "namespace": "shop",
                   "name": "stuck"},
        "pointer": "/metadata/finalizers/0",
        "message": "terminating for 3h (since 2024-06-01T09:00:00Z); "
                   "finalizer 'example.org/cleanup' still set; owed by the controller of API "
                   "group example.org (the object's own group); controller liveness unknown "
                   "(nothing in the snapshot tells; not read: CustomResourceDefinitions)",
        "related": [],
        "fix": [{"op": "test", "path": "/metadata/finalizers/0", "value": "example.org/cleanup"},
                {"op": "remove", "path": "/metadata/finalizers/0"}],
        "source": {"file": STUCK, "line": 1},
        "fingerprint": "FN001:example.org/Widget:shop/stuck:/metadata/finalizers/0",
        "evidence": {"controller": "the controller of API group example.org (the object's "
                                   "own group)",
                     "finalizer": "example.org/cleanup", "liveness": "unknown"},
    }


def test_wall_clock_never_appears_in_json(runner: CliRunner) -> None:
    report = json.loads(scan(runner, CLEAN, "--format", "json").stdout)
    assert report["now"] is None


def test_same_input_gives_byte_identical_json(runner: CliRunner) -> None:
    first = scan(runner, "--demo", "--format", "json").stdout
    second = scan(runner, "--demo", "--format", "json").stdout
    assert first == second and first.startswith("{")


def test_stdin(runner: CliRunner) -> None:
    result = scan(runner, "-", *NOW, "--format", "json", stdin=Path(STUCK).read_text())
    report = json.loads(result.stdout)
    assert [f["source"]["file"] for f in report["findings"]] == ["<stdin>"]


def test_output_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = scan(runner, STUCK, *NOW, "-o", f"json={out}")
    assert result.stdout == "" and json.loads(out.read_text())["summary"]["error"] == 1


def test_select_ignore_and_rules_dir(runner: CliRunner) -> None:
    custom = ["--rules-dir", str(FIXTURES / "rules-dirs/custom")]
    report = json.loads(scan(runner, STUCK, *NOW, "--format", "json", *custom,
                             "--ignore", "FN").stdout)
    assert [(f["code"], f["object"]["name"]) for f in report["findings"]] == [("XX100", "web")]
    report = json.loads(scan(runner, STUCK, *NOW, "--format", "json", *custom,
                             "--select", "team-label,FN001").stdout)
    assert sorted(f["code"] for f in report["findings"]) == ["FN001", "XX100"]


def test_config_file_sets_options_and_threshold(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / ".kaudit.toml"
    config.write_text('fail-on = "never"\n[rules.stuck-deletion]\ngrace = "1h"\n'
                      'severity = "warning"\n')
    result = scan(runner, STUCK, *NOW, "--format", "json", "--config", str(config))
    report = json.loads(result.stdout)
    assert result.exit_code == 0
    assert report["summary"] == {"error": 0, "warning": 1, "info": 0}


def test_pyproject_config_is_found_upwards(runner: CliRunner, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.kaudit]\nignore = ["FN001"]\n')
    (tmp_path / "deploy").mkdir()
    monkeypatch.chdir(tmp_path / "deploy")
    assert scan(runner, STUCK, *NOW).exit_code == 0


def test_bad_config_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / ".kaudit.toml"
    config.write_text('failon = "never"\n')
    result = scan(runner, STUCK, "--config", str(config))
    assert result.exit_code == 2 and "unknown setting(s) failon" in result.stderr


def test_baseline_from_a_previous_report(runner: CliRunner, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    scan(runner, STUCK, *NOW, "--format", f"json={baseline}")
    result = scan(runner, STUCK, *NOW, "--baseline", str(baseline))
    assert result.exit_code == 0


def test_table_output_reads_well(runner: CliRunner) -> None:
    result = scan(runner, "--demo")
    assert result.exit_code == 1
    assert "kaudit 26 objects, 16 kinds from demo" in result.stdout
    assert "terminating for 3h12m" in result.stdout
    assert "10 error(s), 6 warning(s), 1 info" in result.stdout
