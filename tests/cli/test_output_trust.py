"""Output that cannot be turned against the reader (issue 9 §5).

Text from files and clusters is data: ``[/]`` (rich markup) in a path or a message must not
crash any command, and escape sequences in names, finalizers, conditions or events never
reach the terminal. Output that cannot be written is a one-line usage error (exit 2), and
without ``--now`` or a capture time no wall-clock age reaches the JSON output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaudit.cli import app

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
NOW = ["--now", "2024-06-01T12:00:00Z"]
ESC = "\x1b"

# A stuck Widget whose finalizer, condition and owner-chain text carry rich markup and
# terminal escape sequences (a window title, a hyperlink, clear-screen, a bidi override).
HOSTILE = r"""
apiVersion: example.org/v1
kind: Widget
metadata:
  name: evil
  namespace: shop
  uid: u-evil
  deletionTimestamp: "2024-06-01T09:00:00Z"
  finalizers: ["example.org/[/]clean\e[2J"]
status:
  conditions:
  - type: Ready
    status: "False"
    reason: "[bold]Broken[/]"
    message: "\e]0;pwned\a\e[31mred [/] \e]8;;http://evil.example\e\\link\u202etxt.exe"
---
apiVersion: example.org/v1
kind: Gadget
metadata:
  name: "child\e[8m"
  namespace: shop
  ownerReferences:
  - {apiVersion: example.org/v1, kind: Widget, name: evil, uid: u-evil}
---
apiVersion: v1
kind: Event
metadata: {name: ev, namespace: shop}
involvedObject: {apiVersion: example.org/v1, kind: Widget, name: evil, namespace: shop}
type: Warning
reason: "Fail[/]"
message: "\e[1;1H\e[2Jfinalizer failed"
"""


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """The hostile manifest in a folder whose name is rich markup: ``x[/]y/in.yaml``."""
    folder = tmp_path / "x[" / "]y"
    folder.mkdir(parents=True)
    path = folder / "in.yaml"
    path.write_text(HOSTILE)
    return path


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def assert_inert(text: str) -> None:
    """Nothing a terminal would act on: no ESC, BEL or bidi override, raw or as C1."""
    for bad in (ESC, "\x07", "\x9b", "\u202e"):
        assert bad not in text


def test_explain_prints_hostile_text_as_inert_data(hostile: Path) -> None:
    result = run("explain", "widget/evil", "-n", "shop", str(hostile), *NOW)
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout)
    assert_inert(result.stderr)
    assert "[/]clean\\x1b[2J" in result.stdout  # shown, escaped, not interpreted
    assert "\\x1b]0;pwned\\x07" in result.stdout
    assert "\\u202e" in result.stdout


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "json"])
def test_graph_prints_hostile_names_as_inert_data(hostile: Path, fmt: str) -> None:
    result = run("graph", str(hostile), "--format", fmt)
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout)
    assert "child" in result.stdout


def test_scan_table_and_json_are_inert(hostile: Path) -> None:
    table = run("scan", str(hostile), *NOW, "--no-config")
    assert table.exit_code == 1, table.output
    assert_inert(table.stdout)
    assert "x[/]y" in table.stdout.replace("\n", "")  # the path, printed as text
    for fmt in ("github", "markdown"):  # a job log renders ANSI codes; so does a terminal
        printed = run("scan", str(hostile), *NOW, "--no-config", "-o", fmt)
        assert_inert(printed.stdout)
        assert "clean" in printed.stdout  # the hostile finalizer was printed, escaped
    report = run("scan", str(hostile), *NOW, "--no-config", "--format", "json")
    # JSON escapes control characters itself (Unicode text such as bidi marks stays data).
    assert ESC not in report.stdout and "\x07" not in report.stdout
    assert "\\u001b]0;pwned" in report.stdout


def test_diff_prints_hostile_text_as_inert_data(hostile: Path, tmp_path: Path) -> None:
    changed = tmp_path / "after.yaml"
    changed.write_text(HOSTILE.replace("finalizer failed", "[/] changed \\e[5m"))
    result = run("diff", str(hostile), str(changed))
    assert result.exit_code == 1, result.output
    assert_inert(result.stdout)
    assert "changed" in result.stdout


def test_markup_in_a_path_does_not_break_error_printing(tmp_path: Path,
                                                        hostile: Path) -> None:
    missing = tmp_path / "no[/]such" / "f.yaml"
    for command in (["scan"], ["graph"], ["explain", "widget/evil"]):
        result = run(*command, str(missing))
        assert result.exit_code == 2, result.output
        assert "no[/]such" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    result = run("explain", "widget/[/]nope", str(hostile))
    assert result.exit_code == 2 and "[/]nope" in result.stderr


def test_escape_sequences_in_an_error_are_escaped(tmp_path: Path) -> None:
    result = run("scan", str(tmp_path / f"{ESC}]0;pwned\x07.yaml"))
    assert result.exit_code == 2
    assert_inert(result.stderr)
    assert "\\x1b]0;pwned\\x07" in result.stderr


def test_output_into_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "report.json"
    result = run("scan", "--demo", "-o", f"json={target}")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"kaudit: cannot write {target}: No such file or directory (no folder "
        f"{target.parent})"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_onto_a_full_disk_is_a_usage_error() -> None:
    result = run("scan", "--demo", "-o", "json=/dev/full")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "kaudit: cannot write /dev/full: No space left on device"]
    graph = run("graph", "--demo", "-o", "/dev/full")
    assert graph.exit_code == 2 and "No space left on device" in graph.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_stdout_onto_a_full_disk_is_a_usage_error() -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "kaudit", "scan", "--demo", "--format", "json"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
            env={**os.environ, "CI": "1"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "kaudit: cannot write to stdout: No space left on device"]


def test_a_report_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous")
    target.chmod(0o640)
    assert run("scan", "--demo", "-o", f"json={target}").exit_code == 1
    assert json.loads(target.read_text())["version"] == 1
    assert target.stat().st_mode & 0o777 == 0o640  # permissions kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # no temp left
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    assert run("scan", "--demo", "-o", f"json={link}").exit_code == 1
    assert link.is_symlink() and json.loads(target.read_text())["version"] == 1


STUCK_NO_CAPTURE = [str(FIXTURES / "rules/FN001-stuck-deletion/flag.yaml"),
                    str(FIXTURES / "rules/ST001-ready-while-deleting/flag.yaml"),
                    str(FIXTURES / "rules/FN004-namespace-stuck/flag.yaml")]


# Every rule's flagged fixtures that carry no capture time: any rule whose message or evidence
# holds an age against the wall clock makes the two runs below differ.
ALL_FLAGGED = sorted(str(p) for p in FIXTURES.glob("rules/*/flag.yaml")
                     if "capturedAt" not in p.read_text())


def at(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    monkeypatch.setattr("kaudit.cli.sources.CLOCK", lambda: when)


def test_json_without_now_is_the_same_at_any_time(monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = []
    for when in (datetime(2030, 1, 1, tzinfo=UTC), datetime(2031, 7, 9, 3, 4, 5, tzinfo=UTC)):
        at(monkeypatch, when)
        table = run("scan", *STUCK_NO_CAPTURE, "--no-config")
        assert f"now {when:%Y-%m-%dT%H:%M:%SZ} (wall clock)" in table.stdout  # clock used
        result = run("scan", *STUCK_NO_CAPTURE, "--no-config", "--format", "json")
        outputs.append(result.stdout)
        explained = run("explain", "widget/flag-two-finalizers", "-n", "shop", *STUCK_NO_CAPTURE,
                        "--format", "json")
        outputs.append(explained.stdout)
        outputs.append(run("scan", *ALL_FLAGGED, "--no-config", "--format", "json").stdout)
    assert outputs[0] == outputs[3] and outputs[1] == outputs[4] and outputs[2] == outputs[5]
    assert len(json.loads(outputs[2])["findings"]) > 50
    report = json.loads(outputs[0])
    assert report["now"] is None
    ages = [f for f in report["findings"] if "terminating for" in f["message"]]
    assert ages and all("terminating for ? " in f["message"] for f in ages)
    evidence = [f["evidence"] for f in report["findings"] if f["code"] == "ST001"]
    assert evidence and all(e["deleting_for_seconds"] is None for e in evidence)


def test_with_now_ages_are_shown() -> None:
    report = json.loads(run("scan", *STUCK_NO_CAPTURE, *NOW, "--no-config",
                            "--format", "json").stdout)
    assert any("terminating for 3h (since" in f["message"] for f in report["findings"])
    assert all(isinstance(f["evidence"]["deleting_for_seconds"], int)
               for f in report["findings"] if f["code"] == "ST001")
