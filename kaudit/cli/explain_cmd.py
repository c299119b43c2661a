"""``kaudit explain KIND/NAME [-n NS] PATH...``: why this object is stuck, for on-call triage.

The command only needs a ``Snapshot``: today it comes from files, folders, stdin or a saved
snapshot (the same loader as ``scan``); a live source plugs in by producing the snapshot from a
context instead (``_load`` is the one place that changes).
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import timedelta
from typing import Annotated

import typer

from kaudit.cli import exitcodes
from kaudit.cli.common import UsageError, fail, parse_now, stdout_is_terminal, write_output
from kaudit.cli.explain_view import render_explanation
from kaudit.cli.scan import choose_now, demo_input
from kaudit.explain import NotFound, explain, resolve
from kaudit.graph import build_graph
from kaudit.snapshot import Snapshot
from kaudit.snapshot.files import NoInputError, load_snapshot
from kaudit.timeutil import parse_duration

FORMATS = ("table", "json")


def _load(paths: list[str], demo: bool) -> Snapshot:
    named = [demo_input()] if demo else []
    if not paths and not named:
        raise UsageError("nothing to read: give the files, folders, saved snapshot or - "
                         "(stdin) that hold the object, or --demo")
    return load_snapshot(paths, named=named)


def explain_command(
    target: Annotated[str, typer.Argument(
        help="The object: KIND/NAME, e.g. userrole/alice, deployment/web, ns/payments, "
             "roles.postgresql.sql.crossplane.io/alice-7xk2p-9fz4q.", show_default=False,
        metavar="KIND/NAME")],
    paths: Annotated[list[str] | None, typer.Argument(
        help="Files, folders, saved snapshots or - for stdin.", show_default=False,
        metavar="PATH...")] = None,
    demo: Annotated[bool, typer.Option(
        "--demo", help="Read the demo snapshot shipped with kaudit.")] = False,
    namespace: Annotated[str | None, typer.Option(
        "--namespace", "-n", help="The object's namespace (needed when the name is ambiguous).",
        show_default=False)] = None,
    output_format: Annotated[str, typer.Option(
        "--format", "-f", help="table (a tree) or json (the same, as data).")] = "table",
    now: Annotated[str | None, typer.Option(
        "--now", help="Measure ages against this RFC 3339 time instead of the snapshot's "
                      "capture time or the clock.")] = None,
    grace: Annotated[str, typer.Option(
        "--grace", help="A deletion younger than this is work in progress, not a blocker.")
    ] = "15m",
) -> None:
    """Why an object is stuck, down to the leaf blockers, and the patch that would unblock it.

    Shows the object's owners up to the root and its dependents down to the leaves, who owes
    each finalizer and whether that controller looks alive, key conditions and Warning events,
    and for each blocking finalizer a test-guarded JSON patch and kubectl line (printed, never
    applied) with what removing it leaves behind.

    Exit codes: 0 explained; 2 usage error, unreadable input or no such object.
    """
    try:
        text = _explain(target, paths or [], demo, namespace, output_format, now, grace)
    except (UsageError, NoInputError, NotFound) as exc:
        raise fail(str(exc)) from None
    write_output(text, None)
    raise typer.Exit(exitcodes.OK)


def _explain(target: str, paths: list[str], demo: bool, namespace: str | None, output_format: str,
             now: str | None, grace: str) -> str:
    if output_format not in FORMATS:
        raise UsageError(f"--format {output_format!r}: choose from {', '.join(FORMATS)}")
    try:
        grace_period: timedelta = parse_duration(grace)
    except ValueError as exc:
        raise UsageError(f"--grace: {exc}") from None
    now_option = parse_now(now)
    snapshot = _load(paths, demo)
    obj = resolve(snapshot, target, namespace)
    when, source = choose_now(now_option, snapshot)
    explanation = replace(explain(snapshot, build_graph(snapshot), obj, when, grace_period),
                          now_is_clock=source == "clock")
    if output_format == "json":
        return explanation.to_json_text()
    color = stdout_is_terminal()
    width = shutil.get_terminal_size((120, 40)).columns if color else 120
    return render_explanation(explanation, color=color, width=width)
