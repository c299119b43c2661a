"""The command line: a thin typer app. Each command lives in its own module and returns
through an exit code (see ``exitcodes``)."""

from __future__ import annotations

import sys
import traceback

import typer

from kaudit.cli import exitcodes, rules_cmd, snapshot_cmd
from kaudit.cli.scan import scan

app = typer.Typer(
    name="kaudit",
    help="Audit the state of Kubernetes clusters: duplicate schemas, conflicting unique "
         "fields, stuck deletions, and status that disagrees with reality.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("scan")(scan)
app.command("snapshot")(snapshot_cmd.snapshot)
app.add_typer(rules_cmd.app, name="rules")


def main() -> None:
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:
        traceback.print_exc()
        print("kaudit: internal error (above); please report it", file=sys.stderr)
        sys.exit(exitcodes.INTERNAL)
