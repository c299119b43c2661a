"""``kaudit diff A B``: what changed between two snapshots, per object, as JSON patches."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kaudit.cli import exitcodes
from kaudit.cli.common import fail, stdout_is_terminal, write_output
from kaudit.diff import ADDED, CHANGED, RECREATED, REMOVED, SnapshotDiff, diff_snapshots
from kaudit.snapshot.files import NoInputError, load_snapshot
from kaudit.textsafe import safe_text

FORMATS = ("table", "json")
_VALUE_WIDTH = 60


def diff(
    before: Annotated[str, typer.Argument(
        help="The earlier observation: a saved snapshot, a dump file or a folder.",
        show_default=False)],
    after: Annotated[str, typer.Argument(
        help="The later observation, in any form scan reads.", show_default=False)],
    output_format: Annotated[str, typer.Option(
        "--format", "-f", help="table or json (sorted, byte-identical for the same input).")
    ] = "table",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of stdout.", dir_okay=False)] = None,
    all_fields: Annotated[bool, typer.Option(
        "--all-fields", help="Also diff metadata.resourceVersion and metadata.managedFields, "
                             "which change on every write.")] = False,
) -> None:
    """Show what changed between two snapshots, per object, as JSON patches.

    Objects added, removed, re-created (same name, new uid) and changed, each change as a
    JSON patch (RFC 6902). Secret values are compared by digest and never shown.

    Exit codes: 0 no differences; 1 differences; 2 usage error or an input could not be read.
    """
    if output_format not in FORMATS:
        raise fail(f"--format {output_format!r}: choose from {', '.join(FORMATS)}")
    try:
        first = load_snapshot([before])
        second = load_snapshot([after])
    except NoInputError as exc:
        raise fail(str(exc)) from None
    result = diff_snapshots(first, second, keep_volatile=all_fields)
    if output_format == "json":
        text = orjson.dumps(result.to_json(), option=orjson.OPT_INDENT_2).decode() + "\n"
    else:
        text = render_table(result, color=output is None and stdout_is_terminal())
    write_output(text, output)
    raise typer.Exit(exitcodes.FINDINGS if result.changes else exitcodes.OK)


def _value(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= _VALUE_WIDTH else text[:_VALUE_WIDTH - 1] + "…"


def _describe(op: dict[str, Any]) -> str:
    kind, path = op["op"], op["path"]
    if kind in ("add", "replace", "test"):
        return f"{kind} {path} = {_value(op.get('value'))}"
    if kind in ("move", "copy"):
        return f"{kind} {op.get('from')} -> {path}"
    return f"{kind} {path}"


def render_table(result: SnapshotDiff, *, color: bool) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, force_terminal=color, no_color=not color,
                      highlight=False)
    summary = ", ".join(f"{result.count(k)} {k}" for k in (ADDED, REMOVED, RECREATED, CHANGED))
    if not result.changes:
        blind = (f"; {result.not_comparable} Secret value(s) not comparable (different digest "
                 "keys)" if result.not_comparable else "")
        return (f"no differences ({result.unchanged} objects unchanged, "
                f"{result.unobserved} of kinds only one side read{blind})\n")
    table = Table(show_lines=False)
    table.add_column("change")
    table.add_column("object")
    table.add_column("patch")
    for change in result.changes:
        ref = change.ref
        group = f" ({ref.group})" if ref.group else ""
        ops = "\n".join(_describe(op) for op in change.patch) if change.change in (
            CHANGED, RECREATED) else ""
        # Names and values come from the inputs: plain text, escaped, never markup.
        table.add_row(change.change, Text(safe_text(f"{ref.short}{group}")),
                      Text(safe_text(ops, multiline=True)))
    console.print(table)
    console.print(f"{summary}; {result.unchanged} unchanged; {result.unobserved} of kinds "
                  "only one side read (not compared)")
    if result.not_comparable:
        console.print(f"{result.not_comparable} Secret value(s) not comparable: the two sides "
                      "were digested under different keys (see README, Secret digests)")
    return buffer.getvalue()

