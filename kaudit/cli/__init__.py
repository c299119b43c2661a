"""The command line: a thin typer app. Each command lives in its own module and returns
through an exit code (see ``exitcodes``)."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer

from kaudit import __version__
from kaudit.cli import (
    baseline_cmd,
    diff_cmd,
    exitcodes,
    helptext,
    input_opts,
    rules_cmd,
    snapshot_cmd,
    watch_cmd,
)
from kaudit.cli.common import UsageError, fail
from kaudit.cli.explain_cmd import explain_command
from kaudit.cli.finalizers_cmd import finalizers_command
from kaudit.cli.graph_cmd import graph_command
from kaudit.cli.scan import scan

helptext.install()

app = typer.Typer(
    name="kaudit",
    help="Audit the state of Kubernetes clusters: duplicate schemas, conflicting unique "
         "fields, stuck deletions, and status that disagrees with reality.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # --install-completion / --show-completion for bash, zsh, fish and PowerShell.
    add_completion=True,
    # Markdown: docstring paragraphs are re-flowed instead of keeping their source line breaks.
    rich_markup_mode="markdown",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kaudit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    digest_key_file: Annotated[Path | None, typer.Option(
        "--digest-key-file", envvar="KAUDIT_DIGEST_KEY_FILE", dir_okay=False,
        help="Key Secret digests with this team key (or set KAUDIT_DIGEST_KEY), so snapshots "
             "saved by one team compare; without one, each run uses a random key.")] = None,
    max_input_bytes: Annotated[str | None, typer.Option(
        "--max-input-bytes", envvar="KAUDIT_MAX_INPUT_BYTES",
        help="Most bytes one input file may hold after gunzip (e.g. 2G; default 256M).")
    ] = None,
    follow_symlinks: Annotated[bool, typer.Option(
        "--follow-symlinks", help="Follow symlinks that lead out of a scanned folder.")
    ] = False,
) -> None:
    """Audit the state of Kubernetes clusters: duplicate schemas, conflicting unique fields,
    stuck deletions, and status that disagrees with reality."""
    try:
        input_opts.configure_run(digest_key_file=digest_key_file,
                                 max_input_bytes=max_input_bytes,
                                 follow_symlinks=follow_symlinks)
    except UsageError as exc:
        raise fail(str(exc)) from None


app.command("scan")(scan)
app.command("snapshot")(snapshot_cmd.snapshot)
app.command("explain")(explain_command)
app.command("graph")(graph_command)
app.command("diff")(diff_cmd.diff)
app.command("watch")(watch_cmd.watch)
app.command("finalizers")(finalizers_command)
app.add_typer(rules_cmd.app, name="rules")
app.add_typer(baseline_cmd.app, name="baseline")


def main() -> None:
    # Run as a kubectl plugin (`kubectl kaudit …` execs `kubectl-kaudit`), help and usage
    # lines say what the user typed.
    plugin = Path(sys.argv[0]).name == "kubectl-kaudit"
    try:
        app(prog_name="kubectl kaudit" if plugin else None)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:
        traceback.print_exc()
        print("kaudit: internal error (above); please report it", file=sys.stderr)
        sys.exit(exitcodes.INTERNAL)
