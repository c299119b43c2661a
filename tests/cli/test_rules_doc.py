"""Rule documentation rendered for people, and the README's rule table kept in step with the
docstrings (``--update-expected`` regenerates it)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.cli.rules_doc import (
    TABLE_END,
    TABLE_START,
    catalogue_markdown,
    readme_with_table,
    styled,
    to_markdown,
)
from kaudit.rules.registry import load_catalogue

README = Path(__file__).resolve().parents[2] / "README.md"
runner = CliRunner()


def test_markup_conversion() -> None:
    assert to_markdown("``status.observedGeneration`` is behind") == (
        "`status.observedGeneration` is behind")
    assert to_markdown("it breaks.\nFix: do this") == "it breaks.\n\n**Fix:** do this"
    text = styled("set ``grace`` to [red]1h[/]")
    assert text.plain == "set grace to [red]1h[/]"  # docstrings are data, not rich markup
    assert [(text.plain[s.start:s.end], s.style) for s in text.spans] == [("grace", "bold cyan")]


def test_rules_show_prints_code_as_code_not_rest() -> None:
    for code in ("ST003", "FN002", "SC001"):
        shown = runner.invoke(app, ["rules", "show", code])
        assert shown.exit_code == 0
        assert "``" not in shown.stdout
        assert "Fix:" in shown.stdout
    assert "status.observedGeneration (or a condition's) is behind" in runner.invoke(
        app, ["rules", "show", "ST003"]).stdout


def test_rules_show_markdown() -> None:
    shown = runner.invoke(app, ["rules", "show", "stuck-deletion", "--format", "markdown"])
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[0] == "## FN001 stuck-deletion"
    assert "Family **finalizers**, default severity **error**, from pack finalizers." in lines
    assert "| `grace` | `15m` |" in lines
    assert any(line.startswith("**Fix:** ") for line in lines)
    assert "``" not in shown.stdout
    assert runner.invoke(app, ["rules", "show", "FN001", "--format", "html"]).exit_code == 2


def test_rules_list_renders_summaries() -> None:
    table = runner.invoke(app, ["rules", "list"]).stdout
    assert "``" not in table
    rows = json.loads(runner.invoke(app, ["rules", "list", "--format", "json"]).stdout)
    st002 = next(r for r in rows if r["code"] == "ST002")
    assert not st002["summary"].endswith(" or")  # the wrapped summary is whole
    markdown = runner.invoke(app, ["rules", "list", "--format", "markdown"]).stdout
    assert markdown == catalogue_markdown(load_catalogue())
    assert "| ST003 | stale-observed-generation | status | warning | " \
           "`status.observedGeneration` (or a condition's)" in markdown


def test_readme_rule_table_matches_the_docstrings(update_expected: bool) -> None:
    text = README.read_text()
    assert TABLE_START in text and TABLE_END in text
    expected = readme_with_table(text, catalogue_markdown(load_catalogue()))
    if update_expected and expected != text:
        README.write_text(expected)
        text = expected
    assert text == expected, ("the README's rule table drifted from the rules' docstrings: "
                              "run `python -m pytest tests/cli/test_rules_doc.py "
                              "--update-expected` and review the diff")
