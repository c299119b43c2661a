"""``kaudit graph PATH... [--focus KIND/NAME] --format dot|mermaid|json``: the resource graph,
for people who would rather look than read. With ``--focus`` it draws the same neighbourhood
``kaudit explain`` walks (owners up to the roots, dependents down to the leaves)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kaudit.cli import exitcodes
from kaudit.cli.common import UsageError, fail, write_output
from kaudit.cli.scan import demo_input
from kaudit.explain import NotFound, neighbourhood, resolve
from kaudit.graph import build_graph
from kaudit.graph.render import RENDERERS
from kaudit.snapshot.files import NoInputError, load_snapshot


def graph_command(
    paths: Annotated[list[str] | None, typer.Argument(
        help="Files, folders, saved snapshots or - for stdin.", show_default=False,
        metavar="PATH...")] = None,
    demo: Annotated[bool, typer.Option(
        "--demo", help="Read the demo snapshot shipped with kaudit.")] = False,
    focus: Annotated[str | None, typer.Option(
        "--focus", help="Only this object's neighbourhood: KIND/NAME (see kaudit explain).",
        show_default=False)] = None,
    namespace: Annotated[str | None, typer.Option(
        "--namespace", "-n", help="Namespace of the --focus object.", show_default=False)
    ] = None,
    output_format: Annotated[str, typer.Option(
        "--format", "-f", help=f"Output format: {', '.join(RENDERERS)}.")] = "dot",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of stdout.", dir_okay=False)
    ] = None,
) -> None:
    """Draw the resource graph as Graphviz dot, Mermaid or JSON.

    Every relation kaudit knows: owner references, Crossplane claim/composite/composed, CRD ->
    objects, Pod -> what it uses, PVC -> PV, APIService -> Service, Event -> object, namespace
    -> content. Deleting objects are drawn red, objects referenced but absent dashed.

    Exit codes: 0 drawn; 2 usage error, unreadable input or no such --focus object.
    """
    try:
        if output_format not in RENDERERS:
            raise UsageError(f"--format {output_format!r}: choose from {', '.join(RENDERERS)}")
        named = [demo_input()] if demo else []
        if not paths and not named:
            raise UsageError("nothing to draw: give files, folders, a saved snapshot or -, "
                             "or --demo")
        snapshot = load_snapshot(paths or [], named=named)
        graph = build_graph(snapshot)
        keys = None
        if focus is not None:
            keys = neighbourhood(graph, resolve(snapshot, focus, namespace).key)
        elif namespace is not None:
            raise UsageError("-n/--namespace only applies to --focus")
        text = RENDERERS[output_format](graph, keys)
    except (UsageError, NoInputError, NotFound) as exc:
        raise fail(str(exc)) from None
    write_output(text, output)
    raise typer.Exit(exitcodes.OK)
