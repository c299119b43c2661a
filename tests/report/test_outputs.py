"""``-o FORMAT[=FILE]``: kubectl's meaning of ``-o``, several reports from one scan, and
report files that cannot be written as usage errors."""

from __future__ import annotations

import errno
import importlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaudit.cli import app, writer
from tests.conftest import FIXTURES

# ``kaudit.cli.scan`` the attribute is the command function; the module is what runs rules.
scan_module = importlib.import_module("kaudit.cli.scan")
STUCK = str(FIXTURES / "inputs/stuck.yaml")
NOW = ["--now", "2024-06-01T12:00:00Z"]


def scan(*args: str):
    return CliRunner().invoke(app, ["scan", STUCK, *NOW, *args])


@pytest.fixture(autouse=True)
def _no_ci_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY",
                 "GITHUB_SHA", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


def test_o_names_the_format() -> None:
    assert json.loads(scan("-o", "json").stdout)["summary"]["error"] == 1
    assert json.loads(scan("--output", "sarif").stdout)["version"] == "2.1.0"
    assert json.loads(scan("--format", "json").stdout)["version"] == 1
    assert scan("-f", "github").stdout.startswith("::error file=")


@pytest.mark.parametrize(("value", "hint"), [
    ("report.json", "-o json=report.json"),
    ("results.sarif", "-o sarif=results.sarif"),
    ("out/report.xml", "-o junit=out/report.xml"),
    ("comment.md", "-o markdown=comment.md"),
])
def test_a_path_where_a_format_belongs_says_what_to_write(value: str, hint: str,
                                                          tmp_path: Path) -> None:
    result = scan("-o", value)
    assert result.exit_code == 2
    assert "-o names the format" in result.stderr and hint in " ".join(result.stderr.split())
    assert not Path(value).exists()


def test_unknown_format_and_empty_file_are_usage_errors() -> None:
    result = scan("-o", "xml")
    assert result.exit_code == 2 and "unknown format" in result.stderr
    assert scan("-o", "json=").exit_code == 2


def test_several_outputs_from_one_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = scan_module.run

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(scan_module, "run", counting)
    sarif, junit, report = tmp_path / "results.sarif", tmp_path / "r.xml", tmp_path / "r.json"
    result = scan("-o", "table", "-o", f"sarif={sarif}", "-o", f"junit={junit}",
                  "--output", f"json={report}")
    assert result.exit_code == 1 and len(calls) == 1
    assert "error FN001 Widget/shop/stuck" in result.stdout
    assert json.loads(sarif.read_text())["runs"][0]["results"][0]["ruleId"] == "FN001"
    assert ET.parse(junit).getroot().get("failures") == "1"
    assert json.loads(report.read_text())["summary"]["error"] == 1


def test_only_one_format_on_stdout_and_one_file_per_output(tmp_path: Path) -> None:
    result = scan("-o", "table", "-o", "json")
    assert result.exit_code == 2 and "only one format can go to stdout" in result.stderr
    same = tmp_path / "r"
    result = scan("-o", f"json={same}", "-o", f"sarif={same}")
    assert result.exit_code == 2 and "named by two -o options" in result.stderr


def test_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir/results.sarif"
    result = scan("-o", f"sarif={target}")
    assert result.exit_code == 2
    assert f"cannot write {target}: No such file or directory" in " ".join(result.stderr.split())
    assert result.stdout == ""


def test_a_full_disk_is_a_usage_error_and_leaves_no_partial_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "results.sarif"
    target.write_text("previous report\n")

    class FullDisk:
        def __init__(self, path, *args, **kwargs):
            self.path = path
            Path(path).write_text("")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writer, "open", FullDisk, raising=False)
    result = scan("-o", f"sarif={target}")
    assert result.exit_code == 2 and "No space left on device" in result.stderr
    assert target.read_text() == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.sarif"]


def test_github_appends_a_markdown_summary(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = scan("-o", "github")
    assert result.stdout.startswith("::error ")
    text = summary.read_text()
    assert text.startswith("earlier step\n## kaudit: 1 error, 0 warning, 0 info")
    assert "| FN001 stuck-deletion |" in text
    scan("-o", "json")  # only the github format writes the job summary
    assert summary.read_text() == text


def test_markdown_links_to_the_commit_inside_github_actions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES.parent)
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/deploy")
    monkeypatch.setenv("GITHUB_SHA", "abc123")
    result = CliRunner().invoke(app, ["scan", "fixtures/inputs/stuck.yaml", *NOW, "-o",
                                      "markdown"])
    assert ("[fixtures/inputs/stuck.yaml:1](https://github.com/acme/deploy/blob/abc123/"
            "fixtures/inputs/stuck.yaml#L1)") in result.stdout
