"""``kaudit snapshot``: save a redacted snapshot of a live cluster, to audit later or offline.

``kaudit scan FILE`` on the result gives the findings the live scan would have given: the
file carries the capture time (so ages are measured the same way), the coverage gaps, and which
types were listed completely (so absence means the same thing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kaudit.cli import exitcodes, live_opts
from kaudit.cli.common import UsageError, fail, notice
from kaudit.cli.sources import print_gaps, progress_allowed
from kaudit.cli.writer import OutputError, write_with
from kaudit.live import LiveError, LiveOptions, LiveRead, read_cluster
from kaudit.snapshot.archive import snapshot_document, write_snapshot
from kaudit.snapshot.managed import compact_managed_fields


def snapshot(
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="File to write: .json, or .json.gz to compress. With several "
                               "contexts, name it with {context} (prod-{context}.json.gz), or "
                               "give a folder (FOLDER/CONTEXT.json.gz): one file per cluster.",
        show_default=False)],
    context: live_opts.Contexts = None,
    all_contexts: live_opts.AllContexts = False,
    contexts_from: live_opts.ContextsFrom = None,
    kubeconfig: live_opts.Kubeconfig = None,
    namespace: live_opts.Namespace = None,
    all_namespaces: live_opts.AllNamespaces = False,
    qps: live_opts.Qps = live_opts.DEFAULTS.qps,
    burst: live_opts.Burst = live_opts.DEFAULTS.burst,
    timeout: live_opts.Timeout = live_opts.DEFAULTS.timeout,
    page_size: live_opts.PageSize = live_opts.DEFAULTS.page_size,
    scan_timeout: live_opts.ScanTimeout = live_opts.DEFAULTS.scan_timeout,
    keep_managed_fields: Annotated[bool, typer.Option(
        "--keep-managed-fields", help="Keep metadata.managedFields whole (by default only "
                                      "what rules read: managers, operations, times, "
                                      "subresources and annotation keys).")] = False,
) -> None:
    """Save a redacted snapshot of a live cluster (Secret values stored only as digests).

    Only GET requests are sent. Exit codes: 0 saved (coverage gaps are listed in the file and
    on stderr); 2 usage error or nothing at all could be read (of several clusters: any one).
    """
    try:
        contexts = live_opts.chosen_contexts(context, all_contexts, contexts_from, kubeconfig)
        several = len(contexts) > 1 or all_contexts or contexts_from
        if several and output.is_dir():
            output = output / f"{PLACEHOLDER}.json.gz"
        if not output.name.endswith((".json", ".json.gz")):
            raise UsageError(f"--output {output}: name it .json or .json.gz")
        if several:
            options = live_opts.live_options(
                kubeconfig=kubeconfig, context=None, namespace=namespace,
                all_namespaces=all_namespaces, qps=qps, burst=burst, timeout=timeout,
                page_size=page_size, progress=False, scan_timeout=scan_timeout)
            raise typer.Exit(_several(contexts, output, keep_managed_fields, options))
        options = live_opts.live_options(
            kubeconfig=kubeconfig, context=contexts[0] if contexts else None,
            namespace=namespace,
            all_namespaces=all_namespaces, qps=qps, burst=burst, timeout=timeout,
            page_size=page_size, scan_timeout=scan_timeout,
            progress=progress_allowed(machine_readable_stdout=False))
        read = read_cluster(options)
    except (UsageError, LiveError) as exc:
        raise fail(str(exc)) from None
    _save(read, output, keep_managed_fields)
    raise typer.Exit(0)


def _save(read: LiveRead, output: Path, keep_managed_fields: bool) -> None:
    snap = read.snapshot
    items = (o.raw if keep_managed_fields else compact_managed_fields(o.raw)
             for o in snap.objects)
    document = snapshot_document(items, captured_at=snap.captured_at, context=read.context,
                                 server=read.server, gaps=snap.gaps, read_kinds=snap.read_kinds)
    try:
        # Atomically: a failed write (full disk, killed mid-way) keeps the previous snapshot.
        write_with(output, lambda temporary: write_snapshot(document, temporary))
    except OutputError as exc:
        raise fail(str(exc)) from None
    print_gaps(snap)
    notice(f"saved {len(snap)} objects of {len(snap.kinds())} kinds from "
           f"{read.context or read.server} to {output}", style="")


PLACEHOLDER = "{context}"


def _several(contexts: list[str], output: Path, keep_managed_fields: bool,
             options: LiveOptions) -> int:
    """One file per cluster, read concurrently; exit 2 when any cluster could not be read
    (its file is not written; the others are)."""
    if PLACEHOLDER not in output.name:
        raise UsageError(f"--output {output}: with several contexts, put {PLACEHOLDER} in the "
                         "file name (one file per cluster)")
    from kaudit.live.fleet import read_clusters  # the client stack, only when it is used

    reads = read_clusters(contexts, options)
    failed = 0
    for cluster in reads:
        target = output.with_name(output.name.replace(PLACEHOLDER, _file_safe(cluster.context)))
        if cluster.read is None:
            failed += 1
            # Context names and errors come from the kubeconfig and the network: printed as
            # text, escaped (``fail`` prints the line; the other clusters are still saved).
            fail(f"{cluster.context}: {cluster.error}")
            continue
        _save(cluster.read, target, keep_managed_fields)
    return exitcodes.USAGE if failed else exitcodes.OK


def _file_safe(context: str) -> str:
    """A context name as part of a file name (EKS contexts are ARNs with ``:`` and ``/``)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in context) or "_"

