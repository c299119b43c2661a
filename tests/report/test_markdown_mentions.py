"""A pull-request comment must not ping people or cross-reference issues named by the input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from kaudit.cli import app

NAME = "@octo-org/admins"
FINALIZER = "example.org/ping-@alice-about-#123-and-GH-7-and-acme/repo#9"
# What GitHub would link: a mention or an issue reference starting at a word boundary.
PING = re.compile(r"(?<![\w`])(@[\w-]|#\d|GH-\d)", re.IGNORECASE)


@pytest.fixture()
def pinging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "w.yaml").write_text(
        "apiVersion: example.org/v1\nkind: Widget\nmetadata:\n"
        f"  name: {json.dumps(NAME)}\n  namespace: shop\n"
        '  deletionTimestamp: "2024-01-01T00:00:00Z"\n'
        f"  finalizers: [{json.dumps(FINALIZER)}]\n")
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"):
        monkeypatch.delenv(name, raising=False)


def _text(node_html: str) -> str:
    """The rendered comment without its code spans and blocks (GitHub links nothing there)."""
    return re.sub(r"<code>.*?</code>|<pre>.*?</pre>", "", node_html, flags=re.S)


def test_markdown_neutralises_mentions_and_issue_references(pinging: None) -> None:
    result = CliRunner().invoke(app, ["scan", ".", "--now", "2024-06-01T12:00:00Z",
                                      "-o", "markdown"])
    assert result.exit_code == 1, result.stderr
    html = MarkdownIt("commonmark").enable("table").render(result.stdout)
    shown = _text(html)
    assert "octo-org/admins" in shown and "alice" in shown
    assert not PING.search(shown), PING.search(shown)
    # Read by a person it still says the same: only zero-width spaces were added.
    assert NAME in shown.replace("\u200b", "")


def test_other_formats_keep_the_text_exact(pinging: None) -> None:
    result = CliRunner().invoke(app, ["scan", ".", "--now", "2024-06-01T12:00:00Z",
                                      "-o", "json"])
    assert NAME in result.stdout and "\\u200b" not in result.stdout
    assert "\u200b" not in result.stdout
