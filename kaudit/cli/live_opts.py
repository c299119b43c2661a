"""Options shared by every command that reads a live cluster (``scan``, ``snapshot``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kaudit.cli.common import UsageError, notice
from kaudit.live import LiveOptions

Context = Annotated[str | None, typer.Option(
    "--context", help="Kubeconfig context to read (default: the current context).",
    show_default=False)]
Kubeconfig = Annotated[str | None, typer.Option(
    "--kubeconfig", help="Kubeconfig file(s), ':'-separated (default: $KUBECONFIG, then "
                         "~/.kube/config; in a pod, the service account).",
    show_default=False)]
Namespace = Annotated[str | None, typer.Option(
    "--namespace", "-n", help="Read namespaced types in this namespace only (cluster-scoped "
                              "types are still read).", show_default=False)]
AllNamespaces = Annotated[bool, typer.Option(
    "--all-namespaces", "-A", help="Read every namespace (the default).")]
Qps = Annotated[float, typer.Option(
    "--qps", help="Most requests per second sent to the API server.")]
Burst = Annotated[int, typer.Option(
    "--burst", help="Requests allowed in a burst above --qps.")]
Timeout = Annotated[float, typer.Option(
    "--timeout", help="Seconds for one request, to the last byte of its answer (a server "
                      "that drips its answer is cut off).")]
ScanTimeout = Annotated[float, typer.Option(
    "--scan-timeout", help="Seconds for the whole cluster read; what is not read by then is "
                           "a coverage gap.")]
PageSize = Annotated[int, typer.Option(
    "--page-size", help="Objects per list page (limit/continue paging).")]

DEFAULTS = LiveOptions()


def live_options(*, kubeconfig: str | None, context: str | None, namespace: str | None,
                 all_namespaces: bool, qps: float, burst: int, timeout: float,
                 page_size: int, progress: bool | None,
                 scan_timeout: float = DEFAULTS.scan_timeout) -> LiveOptions:
    if namespace and all_namespaces:
        raise UsageError("give either -n/--namespace or --all-namespaces, not both")
    if qps <= 0 or timeout <= 0:
        raise UsageError("--qps and --timeout must be greater than 0")
    if scan_timeout <= 0:
        raise UsageError("--scan-timeout must be greater than 0")
    if burst < 1 or page_size < 1:
        raise UsageError("--burst and --page-size must be at least 1")
    return LiveOptions(kubeconfig=kubeconfig, context=context, namespace=namespace or None,
                       qps=qps, burst=burst, timeout=timeout, page_size=page_size,
                       progress=progress, scan_timeout=scan_timeout,
                       notify=lambda message: notice(f"kaudit: {message}"))


# Where explain and graph read from: the same inputs as scan, or the live cluster.
SnapshotPaths = Annotated[list[str] | None, typer.Argument(
    help="Files, folders, saved snapshots or - for stdin. None: read the cluster of the "
         "current kubeconfig context.", show_default=False, metavar="PATH...")]
Demo = Annotated[bool, typer.Option(
    "--demo", help="Read the demo snapshot shipped with kaudit.")]

# Several clusters in one run (``scan``, ``snapshot``).
Contexts = Annotated[list[str] | None, typer.Option(
    "--context", help="Kubeconfig context to read (default: the current context). Repeat it "
                      "to read several clusters in one run.", show_default=False)]
AllContexts = Annotated[bool, typer.Option(
    "--all-contexts", help="Read every context of the kubeconfig, each as its own cluster.")]
ContextsFrom = Annotated[Path | None, typer.Option(
    "--contexts-from", help="Read the contexts named in this file (one a line, # comments).",
    dir_okay=False, show_default=False)]


def chosen_contexts(contexts: list[str] | None, all_contexts: bool,
                    contexts_from: Path | None, kubeconfig: str | None) -> list[str]:
    """The contexts a command was asked to read: repeated ``--context``, ``--all-contexts``
    or ``--contexts-from`` (one of the three); empty for the current context."""
    given = [bool(contexts), all_contexts, contexts_from is not None]
    if sum(given) > 1:
        raise UsageError("give --context, --all-contexts or --contexts-from, not several")
    if not (all_contexts or contexts_from or len(contexts or []) > 1):
        return list(contexts or [])  # one cluster: nothing to load (a scan of files stays light)
    from kaudit.live.fleet import all_contexts as every_context
    from kaudit.live.fleet import contexts_from as named_in

    if all_contexts:
        return every_context(kubeconfig)
    names = named_in(contexts_from) if contexts_from is not None else list(
        dict.fromkeys(contexts or []))
    if len(names) > 1:
        # A typo in a list of clusters is a usage error, not an unreachable cluster.
        known = every_context(kubeconfig)
        unknown = [n for n in names if n not in known]
        if unknown:
            raise UsageError(f"context(s) {', '.join(map(repr, unknown))} not in the "
                             f"kubeconfig (known: {', '.join(known)})")
    return names
