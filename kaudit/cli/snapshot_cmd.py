"""``kaudit snapshot``: save a redacted snapshot of a live cluster, to audit later or offline.

``kaudit scan FILE`` on the result gives the findings the live scan would have given: the
file carries the capture time (so ages are measured the same way), the coverage gaps, and which
types were listed completely (so absence means the same thing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kaudit.cli import live_opts
from kaudit.cli.common import UsageError, fail, stderr
from kaudit.cli.sources import print_gaps, progress_allowed
from kaudit.live import LiveError, read_cluster
from kaudit.snapshot.archive import snapshot_document, write_snapshot
from kaudit.snapshot.managed import compact_managed_fields


def snapshot(
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="File to write: .json, or .json.gz to compress.",
        dir_okay=False, show_default=False)],
    context: live_opts.Context = None,
    kubeconfig: live_opts.Kubeconfig = None,
    namespace: live_opts.Namespace = None,
    all_namespaces: live_opts.AllNamespaces = False,
    qps: live_opts.Qps = live_opts.DEFAULTS.qps,
    burst: live_opts.Burst = live_opts.DEFAULTS.burst,
    timeout: live_opts.Timeout = live_opts.DEFAULTS.timeout,
    page_size: live_opts.PageSize = live_opts.DEFAULTS.page_size,
    keep_managed_fields: Annotated[bool, typer.Option(
        "--keep-managed-fields", help="Keep metadata.managedFields whole (by default only "
                                      "what rules read: managers, operations, times, "
                                      "subresources and annotation keys).")] = False,
) -> None:
    """Save a redacted snapshot of a live cluster (Secret values stored only as digests).

    Only GET requests are sent. Exit codes: 0 saved (coverage gaps are listed in the file and
    on stderr); 2 usage error or nothing at all could be read.
    """
    try:
        if not output.name.endswith((".json", ".json.gz")):
            raise UsageError(f"--output {output}: name it .json or .json.gz")
        options = live_opts.live_options(
            kubeconfig=kubeconfig, context=context, namespace=namespace,
            all_namespaces=all_namespaces, qps=qps, burst=burst, timeout=timeout,
            page_size=page_size,
            progress=progress_allowed(machine_readable_stdout=False))
        read = read_cluster(options)
    except (UsageError, LiveError) as exc:
        raise fail(str(exc)) from None
    snap = read.snapshot
    items = (o.raw if keep_managed_fields else compact_managed_fields(o.raw)
             for o in snap.objects)
    document = snapshot_document(items, captured_at=snap.captured_at, context=read.context,
                                 server=read.server, gaps=snap.gaps, read_kinds=snap.read_kinds)
    try:
        write_snapshot(document, output)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc}") from None
    print_gaps(snap)
    stderr.print(f"saved {len(snap)} objects of {len(snap.kinds())} kinds from "
                 f"{read.context or read.server} to {output}", soft_wrap=True)
    raise typer.Exit(0)

