"""The table: never cut what a reader acts on, one finding per line outside a terminal,
grouped with a summary inside one, colour as NO_COLOR/FORCE_COLOR/TERM say, and a progress bar
for file scans on a terminal's stderr."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from kaudit.cli import app, outputs
from kaudit.cli.file_progress import FileProgress
from kaudit.cli.sources import choose_now
from kaudit.engine import EngineSettings, run
from kaudit.report import FormatOptions, Report, RuleInfo
from kaudit.report.locations import where
from kaudit.report.table import render_table
from kaudit.rules.registry import load_catalogue
from kaudit.snapshot.files import load_snapshot
from tests.conftest import FIXTURES, ROOT

LINE = re.compile(r"^(?P<loc>\S[^:]*(?::\d+)?): (?P<sev>error|warning|info) (?P<code>[A-Z]{2}\d{3})"
                  r"(?: (?P<obj>\S+))?: ")


def build_report(paths: list[str], now: datetime | None = None) -> Report:
    snapshot = load_snapshot(paths)
    catalogue = load_catalogue()
    when, source = choose_now(now, snapshot)
    result = run(snapshot, catalogue, EngineSettings(now=when))
    return Report(result.findings, when, source, snapshot.sources, len(snapshot),
                  len(snapshot.kinds()), snapshot.gaps, result.crashed,
                  rules=tuple(RuleInfo.of(catalogue.by_code(c)) for c in result.rules_run),
                  suppressed=result.suppressed)


@pytest.fixture(scope="module")
def corpus_report() -> Report:
    from tests.conftest import shared_dir
    shared = shared_dir()
    if shared is None or not (shared / "corpus").is_dir():
        pytest.skip("../shared/corpus is not present")
    return build_report([str(shared / "corpus")])


def assert_nothing_cut(text: str, report: Report) -> None:
    assert "…" not in text
    for f in report.findings:
        loc = where(f.source, None)
        if loc:
            assert loc in text, loc
        if f.object is not None:
            assert f.object.short in text or f"{f.object.kind}/" in text, f.object
        assert f.code in text


@pytest.mark.corpus
@pytest.mark.parametrize("width", [100, 80])
def test_terminal_never_cuts_locations_names_or_codes(corpus_report: Report, width: int) -> None:
    text = render_table(corpus_report, FormatOptions(terminal=True, width=width))
    assert_nothing_cut(text, corpus_report)
    # One head line per finding carries the object and the full file:line unbroken.
    for f in corpus_report.findings[:200]:
        if f.object is not None and f.source is not None:
            head = f"{f.object.short}"
            assert any(head in line and where(f.source, None) in line
                       for line in text.splitlines()), (head, f.source)


@pytest.mark.corpus
def test_lines_outside_a_terminal_one_finding_per_line(corpus_report: Report) -> None:
    text = render_table(corpus_report, FormatOptions(terminal=False, width=80))
    assert_nothing_cut(text, corpus_report)
    heads = [m for line in text.splitlines() if (m := LINE.match(line))]
    located = [f for f in corpus_report.findings if f.source is not None]
    assert len(heads) == len(located)
    for line in text.splitlines()[1:-1]:
        header = line.startswith(("    ", "coverage gap: ", "config: "))
        assert LINE.match(line) or header or re.match(
            r"^(error|warning|info) [A-Z]{2}\d{3}", line), line


def test_the_line_format_is_what_editors_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # paths inside the working directory are printed relative to it
    report = build_report([str(FIXTURES / "inputs/stuck.yaml")],
                          datetime.fromisoformat("2024-06-01T12:00:00+00:00"))
    lines = render_table(report, FormatOptions()).splitlines()
    assert lines[1] == "config: none"  # the header's second line names the config
    assert lines[2].startswith(
        "fixtures/inputs/stuck.yaml:1: error FN001 Widget/shop/stuck: terminating for 3h")
    assert lines[3] == "    at /metadata/finalizers/0"
    assert lines[4].startswith('    fix (JSON patch): [{"op":"test"')
    assert lines[-1] == "1 error(s), 0 warning(s), 0 info"


def test_terminal_groups_by_family_and_rule_and_ends_with_a_summary() -> None:
    report = build_report([str(ROOT / "kaudit/demo/demo-snapshot.yaml")])
    text = render_table(report, FormatOptions(terminal=True, width=100))
    assert re.search(r"^finalizers ─+$", text, re.MULTILINE)
    assert re.search(r"^FN001 stuck-deletion  3 findings \(3 error\)$", text, re.MULTILINE)
    families = re.findall(r"^(schema|unique|finalizers|status|input) ─", text, re.MULTILINE)
    assert families == ["schema", "unique", "finalizers", "status", "input"]
    summary = text[text.index("summary\n"):]
    assert re.search(r"│ FN001 stuck-deletion +│ +3 │", summary)
    assert re.search(r"│ total +│ +10 │ +6 │ +1 │", summary)
    assert "26 objects, 16 kinds read; 1 coverage gap(s)" in summary
    assert_nothing_cut(text, report)
    assert "\x1b[" not in text


# ---- colour ------------------------------------------------------------------------------

@pytest.mark.parametrize(("env", "tty", "expected"), [
    ({}, True, True),
    ({}, False, False),
    ({"NO_COLOR": "1"}, True, False),
    ({"NO_COLOR": ""}, True, True),
    ({"FORCE_COLOR": "1"}, False, True),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, False),
    ({"TERM": "dumb"}, True, False),
    ({"TERM": "dumb", "FORCE_COLOR": "1"}, True, True),
])
def test_colour_follows_the_environment(env: dict[str, str], tty: bool, expected: bool,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert outputs.colour_wanted(tty) is expected


@pytest.mark.parametrize(("env", "coloured"), [({}, True), ({"NO_COLOR": "1"}, False),
                                               ({"TERM": "dumb"}, False)])
def test_scan_on_a_terminal_honours_no_color(env: dict[str, str], coloured: bool,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(outputs, "stdout_is_terminal", lambda: True)
    result = CliRunner().invoke(app, ["scan", "--demo", "--fail-on", "never"])
    assert ("\x1b[" in result.stdout) is coloured
    assert "FN001 stuck-deletion  3 findings" in re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)


def test_force_color_colours_the_lines_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    result = CliRunner().invoke(app, ["scan", "--demo", "--fail-on", "never"])
    assert "\x1b[1;31merror\x1b[0m FN001" in result.stdout
    plain = CliRunner().invoke(app, ["scan", "--demo", "--fail-on", "never", "-o", "json"])
    assert "\x1b[" not in plain.stdout


# ---- progress ------------------------------------------------------------------------------

def test_progress_bar_counts_files_on_a_terminal(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"{i}.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}, namespace: d}}\n")
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=100)
    with FileProgress(True, console) as bar:
        snapshot = load_snapshot([str(tmp_path)], progress=bar.update)
    assert len(snapshot) == 3 and bar.updates == 3
    assert "reading files" in stream.getvalue() and "3 objects" in stream.getvalue()


def test_no_progress_bar_off_a_terminal(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["scan", str(FIXTURES / "inputs"), "--fail-on", "never"])
    assert result.exit_code == 0 and "reading files" not in result.stderr
    stream = io.StringIO()
    with FileProgress(False, Console(file=stream, force_terminal=True)) as bar:
        load_snapshot([str(FIXTURES / "inputs")], progress=bar.update)
    assert bar.updates == 3 and stream.getvalue() == ""
