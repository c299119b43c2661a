"""``kaudit explain KIND/NAME [-n NS] (PATH... | --context CTX)``: why this object is stuck,
for on-call triage.

The command only needs a ``Snapshot``; where it comes from (files, folders, stdin, a saved
snapshot, the demo, or a live cluster) is decided as for ``scan`` (``kaudit.cli.sources``).

A live read covers every namespace, whatever ``-n`` says: ``-n`` names the object, not the
scope. What an explanation needs lives elsewhere: the controller owing a finalizer runs in its
own namespace (``crossplane-system``, ``cert-manager``), a cluster-scoped owner's dependents are
anywhere, a Crossplane claim's composite and managed resources are cluster-scoped. Narrowing the
read would turn "the controller is gone" into "unknown", or hide a blocker.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import timedelta
from typing import Annotated

import typer

from kaudit.cli import exitcodes, live_opts
from kaudit.cli.common import UsageError, fail, parse_now, stdout_is_terminal, write_output
from kaudit.cli.explain_view import render_explanation
from kaudit.cli.sources import (
    LiveFlags,
    choose_now,
    choose_source,
    live_failure,
    print_gaps,
    progress_allowed,
)
from kaudit.explain import NotFound, explain, resolve
from kaudit.graph import build_graph
from kaudit.live import LiveError
from kaudit.snapshot.files import NoInputError
from kaudit.timeutil import parse_duration

FORMATS = ("table", "json")


def explain_command(
    target: Annotated[str, typer.Argument(
        help="The object: KIND/NAME, e.g. userrole/alice, deployment/web, ns/payments, "
             "roles.postgresql.sql.crossplane.io/alice-7xk2p-9fz4q.", show_default=False,
        metavar="KIND/NAME")],
    paths: live_opts.SnapshotPaths = None,
    demo: live_opts.Demo = False,
    namespace: Annotated[str | None, typer.Option(
        "--namespace", "-n", help="The object's namespace (needed when the name is ambiguous). "
                                  "A live read still covers every namespace: owners, "
                                  "dependents and controllers live elsewhere.",
        show_default=False)] = None,
    output_format: Annotated[str, typer.Option(
        "--format", "-f", help="table (a tree) or json (the same, as data).")] = "table",
    now: Annotated[str | None, typer.Option(
        "--now", help="Measure ages against this RFC 3339 time instead of the snapshot's "
                      "capture time or the clock.")] = None,
    grace: Annotated[str, typer.Option(
        "--grace", help="A deletion younger than this is work in progress, not a blocker.")
    ] = "15m",
    context: live_opts.Context = None,
    kubeconfig: live_opts.Kubeconfig = None,
    qps: live_opts.Qps = live_opts.DEFAULTS.qps,
    burst: live_opts.Burst = live_opts.DEFAULTS.burst,
    timeout: live_opts.Timeout = live_opts.DEFAULTS.timeout,
    page_size: live_opts.PageSize = live_opts.DEFAULTS.page_size,
    scan_timeout: live_opts.ScanTimeout = live_opts.DEFAULTS.scan_timeout,
) -> None:
    """Why an object is stuck, down to the leaf blockers, and the patch that would unblock it.

    Shows the object's owners up to the root and its dependents down to the leaves, who owes
    each finalizer and whether that controller looks alive, key conditions and Warning events,
    and for each blocking finalizer a test-guarded JSON patch and kubectl line (printed, never
    applied) with what removing it leaves behind.

    With no PATH, the current kubeconfig context is read (like kubectl); --context picks
    another. A live read lists every namespace and sends only GET requests.

    Exit codes: 0 explained; 2 usage error, unreadable input or cluster, or no such object.
    """
    flags = LiveFlags(context=context, kubeconfig=kubeconfig, qps=qps, burst=burst,
                      timeout=timeout, page_size=page_size, scan_timeout=scan_timeout)
    try:
        text = _explain(target, paths, demo, flags, namespace, output_format, now, grace)
    except LiveError as exc:
        raise fail(live_failure(exc, flags, "give the files, folders, saved snapshot or - "
                                            "(stdin) that hold the object, or --demo")) from None
    except (UsageError, NoInputError, NotFound) as exc:
        raise fail(str(exc)) from None
    write_output(text, None)
    raise typer.Exit(exitcodes.OK)


def _explain(target: str, paths: list[str] | None, demo: bool, flags: LiveFlags,
             namespace: str | None, output_format: str, now: str | None, grace: str) -> str:
    if output_format not in FORMATS:
        raise UsageError(f"--format {output_format!r}: choose from {', '.join(FORMATS)}")
    try:
        grace_period: timedelta = parse_duration(grace)
    except ValueError as exc:
        raise UsageError(f"--grace: {exc}") from None
    now_option = parse_now(now)
    if "/" not in target:  # before a cluster read that could take a while
        raise UsageError(f"{target!r}: write KIND/NAME (e.g. deployment/web)")
    source = choose_source(paths, demo, flags,
                           progress=progress_allowed(output_format == "json"))
    snapshot = source.read()
    print_gaps(snapshot)
    obj = resolve(snapshot, target, namespace)
    when, source = choose_now(now_option, snapshot)
    explanation = replace(explain(snapshot, build_graph(snapshot), obj, when, grace_period),
                          now_is_clock=source == "clock")
    if output_format == "json":
        return explanation.to_json_text()
    color = stdout_is_terminal()
    width = shutil.get_terminal_size((120, 40)).columns if color else 120
    return render_explanation(explanation, color=color, width=width)
