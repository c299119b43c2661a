"""Hostile names and messages in every format people read.

Manifests are untrusted: nothing validated their names before kaudit read them. A name or a
finalizer with an ESC sequence, a newline, a bidi override, ``|``, backticks, a Markdown link,
``%``, ``::`` or a comma in its file name must not restyle a terminal or CI log, forge a
finding line, break a table, become a link in a pull-request comment, or end a GitHub
workflow command early.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonpatch
import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.report.printable import printable

HOSTILE_NAME = "evil\x1b[8m|name`x`*b*_u_ [x](http://e.vil) <b>\u202e::%0A"
HOSTILE_FINALIZER = "example.org/a\nb|c`d::e,f%g\r\x07"
FILE = "dir, with:colon%/a,b.yaml"


@pytest.fixture()
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / FILE
    path.parent.mkdir()
    path.write_text(
        "apiVersion: example.org/v1\nkind: Widget\nmetadata:\n"
        f"  name: {json.dumps(HOSTILE_NAME)}\n  namespace: shop\n"
        '  deletionTimestamp: "2024-01-01T00:00:00Z"\n'
        f"  finalizers: [{json.dumps(HOSTILE_FINALIZER)}]\n")
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY",
                 "GITHUB_SHA", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return path


def scan(fmt: str) -> str:
    result = CliRunner().invoke(app, ["scan", ".", "--now", "2024-06-01T12:00:00Z",
                                      "-o", fmt])
    assert result.exit_code == 1, result.stderr
    return result.stdout


UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("fmt", ["table", "github", "markdown", "junit"])
def test_no_control_or_bidi_character_reaches_a_human_format(hostile: Path, fmt: str) -> None:
    out = scan(fmt)
    assert not UNSAFE.search(out), repr(UNSAFE.search(out))
    shown = MarkdownIt("commonmark").enable("table").render(out) if fmt == "markdown" else out
    assert "\\x1b[8m" in shown and "\\u202e" in shown, \
        "escaped, not dropped: the name stays readable"


def test_table_lines_are_one_per_finding(hostile: Path) -> None:
    """A newline in untrusted text cannot forge a ``path:line: severity CODE`` line."""
    heads = [line for line in scan("table").splitlines()
             if re.match(r"^\S.*?:\d+: (error|warning|info) [A-Z]{2}\d{3} ", line)]
    assert len(heads) == 1


def test_github_commands_parse_as_the_runner_does(hostile: Path) -> None:
    (line,) = scan("github").splitlines()
    match = re.fullmatch(r"::(error|warning|notice) ([^:]*)::(.*)", line)
    assert match, line
    props = dict(p.split("=", 1) for p in match.group(2).split(","))

    def unescape(value: str) -> str:  # as the runner does: %25 last
        return (value.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":")
                .replace("%2C", ",").replace("%25", "%"))
    assert unescape(props["file"]) == FILE
    assert props["line"] == "1"
    assert unescape(props["title"]) == "FN001 stuck-deletion"
    message = unescape(match.group(3))
    assert message.startswith("Widget shop/evil\\x1b[8m|name`x`")
    patch = json.loads(message.split("fix (JSON patch): ", 1)[1])
    obj = {"metadata": {"finalizers": [HOSTILE_FINALIZER]}}
    assert jsonpatch.apply_patch(obj, patch) == {"metadata": {"finalizers": []}}, \
        "the printed patch still matches the object byte for byte"


def test_markdown_keeps_untrusted_text_as_text(hostile: Path) -> None:
    html = MarkdownIt("commonmark").enable("table").render(scan("markdown"))
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    finding_rows = [r for r in rows if "FN001" in r]
    assert len(finding_rows) == 1
    assert len(re.findall(r"<td", finding_rows[0])) == 5, "a | in a name split the row"
    links = re.findall(r'href="([^"]*)"', html)
    assert links and all(link.startswith("dir%2C%20with%3Acolon%25/a%2Cb.yaml") for link in links)
    assert "<b>" not in html and "<em>" not in html
    assert set(re.findall(r"<strong>(.*?)</strong>", html)) == {"FN001"}
    assert "<code>x</code>" not in html, "a backtick in a name opened a code span"


def test_junit_is_well_formed_xml_with_the_names_readable(hostile: Path) -> None:
    root = ET.fromstring(scan("junit"))
    (case,) = [c for c in root.iter("testcase") if c.find("failure") is not None]
    assert "\\x1b[8m" in case.get("name", "")
    assert case.get("file") == FILE


def test_machine_formats_keep_the_data_exact(hostile: Path) -> None:
    report = json.loads(scan("json"))
    assert report["findings"][0]["object"]["name"] == HOSTILE_NAME
    sarif = json.loads(scan("sarif"))
    result = sarif["runs"][0]["results"][0]
    assert result["locations"][0]["logicalLocations"][0]["name"] == HOSTILE_NAME


def test_printable_escapes_only_what_rewrites_a_line() -> None:
    assert printable("plain ünïcode → ok") == "plain ünïcode → ok"
    assert printable("a\nb\rc\td\x1b\x00\x7f\x85\u2028\u202e") == \
        "a\\nb\\rc\\td\\x1b\\x00\\x7f\\x85\\u2028\\u202e"
