"""``kaudit rules``: the catalogue, written by the rules' own docstrings."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from kaudit.cli.common import fail
from kaudit.cli.rules_doc import (
    catalogue_markdown,
    complete_rule,
    rule_markdown,
    styled,
    summary,
)
from kaudit.rules.registry import Catalogue, RuleLoadError, load_catalogue

app = typer.Typer(help="List the rules and show their documentation.", no_args_is_help=True)

RulesDir = Annotated[list[Path] | None, typer.Option(
    "--rules-dir", help="Include rules from this folder.", file_okay=False)]


def _catalogue(rules_dir: list[Path] | None) -> Catalogue:
    try:
        return load_catalogue(rules_dir or [])
    except RuleLoadError as exc:
        raise fail(str(exc)) from None


@app.command("list")
def list_rules(
    output_format: Annotated[str, typer.Option("--format", "-f",
                                               help="table, json or markdown.")] = "table",
    rules_dir: RulesDir = None,
) -> None:
    """Every rule: code, name, family, default severity and summary."""
    catalogue = _catalogue(rules_dir)
    if output_format == "json":
        rows = [{"code": r.code, "name": r.name, "family": r.family.value,
                 "severity": r.severity.value, "summary": summary(r)} for r in catalogue.rules]
        typer.echo(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
        return
    if output_format == "markdown":
        typer.echo(catalogue_markdown(catalogue), nl=False)
        return
    if output_format != "table":
        raise fail(f"--format {output_format!r}: choose table, json or markdown")
    table = Table(header_style="bold")
    for column in ("code", "name", "family", "severity", "summary"):
        table.add_column(column, no_wrap=column != "summary")
    for r in catalogue.rules:
        table.add_row(r.code, r.name, r.family.value, r.severity.value, styled(summary(r)))
    # Piped output gets a fixed, readable width instead of rich's 80-column fallback.
    Console(highlight=False, width=None if sys.stdout.isatty() else 140).print(table)


@app.command("show")
def show_rule(
    code: Annotated[str, typer.Argument(help="Rule code (FN001) or name (stuck-deletion).",
                                        autocompletion=complete_rule)],
    output_format: Annotated[str, typer.Option(
        "--format", "-f", help="text (rendered for the terminal) or markdown.")] = "text",
    rules_dir: RulesDir = None,
) -> None:
    """A rule's full documentation: what it flags, why it matters, how to fix, its options."""
    if output_format not in ("text", "markdown"):
        raise fail(f"--format {output_format!r}: choose text or markdown")
    catalogue = _catalogue(rules_dir)
    rule = catalogue.find(code)
    if rule is None:
        raise fail(f"no rule {code!r}; see `kaudit rules list`")
    document = rule_markdown(rule, catalogue.origins[rule.code])
    if output_format == "markdown":
        typer.echo(document, nl=False)
        return
    # Here, not at the top: rich's Markdown pulls in markdown-it (~70 ms) on every start.
    from rich.markdown import Markdown

    if sys.stdout.isatty():
        Console(highlight=False).print(Markdown(document))
        return
    # Piped: the same rendering at a fixed width, without the padding rich adds to each line.
    console = Console(highlight=False, width=100, color_system=None)
    with console.capture() as captured:
        console.print(Markdown(document))
    typer.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))
