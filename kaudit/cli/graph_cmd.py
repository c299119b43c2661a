"""``kaudit graph (PATH... | --context CTX) [--focus KIND/NAME] --format dot|mermaid|json``: the
resource graph, for people who would rather look than read. With ``--focus`` it draws the same
neighbourhood ``kaudit explain`` walks (owners up to the roots, dependents down to the leaves).

The snapshot comes from where ``scan`` and ``explain`` take it (``kaudit.cli.sources``); a live
read covers every namespace, for the reasons ``explain_cmd`` gives (``-n`` names the
``--focus`` object only)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kaudit.cli import exitcodes, live_opts
from kaudit.cli.common import UsageError, fail, write_output
from kaudit.cli.sources import LiveFlags, choose_source, live_failure, print_gaps, progress_allowed
from kaudit.explain import NotFound, neighbourhood, resolve
from kaudit.graph import build_graph
from kaudit.graph.edges import RELATIONS
from kaudit.graph.render import RENDERERS
from kaudit.live import LiveError
from kaudit.snapshot.files import NoInputError


def graph_command(
    paths: live_opts.SnapshotPaths = None,
    demo: live_opts.Demo = False,
    focus: Annotated[str | None, typer.Option(
        "--focus", help="Only this object's neighbourhood: KIND/NAME (see kaudit explain).",
        show_default=False)] = None,
    namespace: Annotated[str | None, typer.Option(
        "--namespace", "-n", help="Namespace of the --focus object (a live read still covers "
                                  "every namespace).", show_default=False)
    ] = None,
    output_format: Annotated[str, typer.Option(
        "--format", "-f", help=f"Output format: {', '.join(RENDERERS)}.")] = "dot",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of stdout.", dir_okay=False)
    ] = None,
    context: live_opts.Context = None,
    kubeconfig: live_opts.Kubeconfig = None,
    qps: live_opts.Qps = live_opts.DEFAULTS.qps,
    burst: live_opts.Burst = live_opts.DEFAULTS.burst,
    timeout: live_opts.Timeout = live_opts.DEFAULTS.timeout,
    page_size: live_opts.PageSize = live_opts.DEFAULTS.page_size,
    scan_timeout: live_opts.ScanTimeout = live_opts.DEFAULTS.scan_timeout,
) -> None:
    """Draw the resource graph as Graphviz dot, Mermaid or JSON.

    Every relation kaudit knows, each edge labelled with its name: {relations}. Deleting
    objects are drawn red, objects referenced but absent dashed.

    With no PATH, the current kubeconfig context is read (like kubectl); --context picks
    another. A live read lists every namespace and sends only GET requests.

    Exit codes: 0 drawn; 2 usage error, unreadable input or cluster, or no such --focus object.
    """
    flags = LiveFlags(context=context, kubeconfig=kubeconfig, qps=qps, burst=burst,
                      timeout=timeout, page_size=page_size, scan_timeout=scan_timeout)
    try:
        if output_format not in RENDERERS:
            raise UsageError(f"--format {output_format!r}: choose from {', '.join(RENDERERS)}")
        if namespace is not None and focus is None:
            raise UsageError("-n/--namespace only applies to --focus")
        source = choose_source(paths, demo, flags,
                               progress=progress_allowed(machine_readable_stdout=output is None))
        snapshot = source.read()
        print_gaps(snapshot)
        graph = build_graph(snapshot)
        keys = None
        if focus is not None:
            keys = neighbourhood(graph, resolve(snapshot, focus, namespace).key)
        text = RENDERERS[output_format](graph, keys)
    except LiveError as exc:
        raise fail(live_failure(exc, flags, "give files, folders, a saved snapshot or - "
                                            "(stdin) to draw, or --demo")) from None
    except (UsageError, NoInputError, NotFound) as exc:
        raise fail(str(exc)) from None
    write_output(text, output)
    raise typer.Exit(exitcodes.OK)


# The relation list comes from the extractor registry, so a new relation is in --help at once.
graph_command.__doc__ = (graph_command.__doc__ or "").replace("{relations}", ", ".join(RELATIONS))
