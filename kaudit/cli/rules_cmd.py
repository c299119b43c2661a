"""``kaudit rules``: the catalogue, written by the rules' own docstrings."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from kaudit.cli.common import fail
from kaudit.rules.base import Rule
from kaudit.rules.registry import Catalogue, RuleLoadError, load_catalogue
from kaudit.timeutil import format_duration

app = typer.Typer(help="List the rules and show their documentation.", no_args_is_help=True)

RulesDir = Annotated[list[Path] | None, typer.Option(
    "--rules-dir", help="Include rules from this folder.", file_okay=False)]


def _catalogue(rules_dir: list[Path] | None) -> Catalogue:
    try:
        return load_catalogue(rules_dir or [])
    except RuleLoadError as exc:
        raise fail(str(exc)) from None


def _option_rows(rule: type[Rule]) -> list[tuple[str, str]]:
    if not dataclasses.is_dataclass(rule.Options):
        return []
    rows = []
    for f in dataclasses.fields(rule.Options):
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else None)
        shown = format_duration(default) if hasattr(default, "total_seconds") else repr(default)
        rows.append((f.name.replace("_", "-"), shown))
    return rows


@app.command("list")
def list_rules(
    output_format: Annotated[str, typer.Option("--format", "-f",
                                               help="table or json.")] = "table",
    rules_dir: RulesDir = None,
) -> None:
    """Every rule: code, name, family, default severity and summary."""
    catalogue = _catalogue(rules_dir)
    if output_format == "json":
        rows = [{"code": r.code, "name": r.name, "family": r.family.value,
                 "severity": r.severity.value, "summary": r.summary()} for r in catalogue.rules]
        typer.echo(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
        return
    if output_format != "table":
        raise fail(f"--format {output_format!r}: choose table or json")
    table = Table(header_style="bold")
    for column in ("code", "name", "family", "severity", "summary"):
        table.add_column(column, no_wrap=column != "summary")
    for r in catalogue.rules:
        table.add_row(r.code, r.name, r.family.value, r.severity.value, r.summary())
    # Piped output gets a fixed, readable width instead of rich's 80-column fallback.
    Console(highlight=False, width=None if sys.stdout.isatty() else 140).print(table)


@app.command("show")
def show_rule(
    code: Annotated[str, typer.Argument(help="Rule code (FN001) or name (stuck-deletion).")],
    rules_dir: RulesDir = None,
) -> None:
    """A rule's full documentation: what it flags, why it matters, how to fix, its options."""
    catalogue = _catalogue(rules_dir)
    rule = catalogue.find(code)
    if rule is None:
        raise fail(f"no rule {code!r}; see `kaudit rules list`")
    lines = [f"{rule.code} {rule.name}  (family {rule.family.value}, default severity "
             f"{rule.severity.value}, from {catalogue.origins[rule.code]})", "",
             rule.documentation()]
    options = _option_rows(rule)
    if options:
        lines += ["", "Options (set in [tool.kaudit.rules." + rule.name + "]):"]
        lines += [f"  {name} = {default}" for name, default in options]
    lines += ["", f"Suppress on one object: annotation ignore.kaudit.io/{rule.name}: \"<reason>\""]
    typer.echo("\n".join(lines))
