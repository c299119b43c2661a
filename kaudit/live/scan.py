"""Read a live cluster into a ``Snapshot``: discover, list every type concurrently, record
what could not be read.

Read-only by construction: the only request this package can send is ``Transport.get``.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

from kaudit.live.deadline import Deadline, earliest
from kaudit.live.discovery import ApiResource, aggregated_roots, discover
from kaudit.live.errors import FetchError, LiveError
from kaudit.live.listing import MAX_PAGES, ListOutcome, list_resource
from kaudit.live.progress import ScanProgress
from kaudit.model import CoverageGap
from kaudit.snapshot import KubeObject, Snapshot, SourceInfo
from kaudit.snapshot.collector import collector_paused
from kaudit.snapshot.reads import Projection
from kaudit.textsafe import safe_text

if TYPE_CHECKING:
    from kaudit.live.kubeconfig import ClusterTarget


@dataclass(frozen=True)
class LiveOptions:
    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    """Narrow namespaced types to this namespace; cluster-scoped types are still all read."""
    qps: float = 50.0
    burst: int = 300
    timeout: float = 30.0
    """Seconds for one request, from sending it to the last byte of its answer (retries
    included)."""
    type_timeout: float = 600.0
    """Seconds for listing one resource type, every page and retry included."""
    scan_timeout: float = 1800.0
    """Seconds for the whole read, discovery included; what is not read by then is a gap."""
    page_size: int = 500
    max_pages: int = MAX_PAGES
    """Pages of one list before it counts as endless pagination."""
    max_response_bytes: int | None = None
    """Largest answer read (``None``: the transport's default, 256 MiB)."""
    workers: int = 8
    progress: bool | None = None
    """Show a progress bar; ``None``: when stderr is a terminal."""
    notify: Callable[[str], None] | None = field(default=None, compare=False)
    """Where a notice for the user goes (once per scan); ``None``: a line on stderr."""
    projection: Projection | None = field(default=None, compare=False)
    """Keep of each object only what the scan's rules read (``kaudit.snapshot.reads``)."""


@dataclass(frozen=True)
class LiveRead:
    snapshot: Snapshot
    context: str
    server: str
    requests: int
    seconds: dict[str, float] = field(default_factory=dict)
    """Time spent per phase (discovery, listing, index): for benchmarks and debugging."""


def read_cluster(options: LiveOptions) -> LiveRead:
    """The cluster as a snapshot; ``LiveError`` when nothing at all could be read."""
    # Imported here so that scanning files never pays for loading the kubernetes client.
    from kaudit.live.kubeconfig import load_target

    target = load_target(options.kubeconfig, options.context)
    return read_target(target, options)


def read_target(target: ClusterTarget, options: LiveOptions) -> LiveRead:
    from kaudit.live.transport import Transport

    _check(options)
    transport = Transport(target, qps=options.qps, burst=options.burst,
                          timeout=options.timeout, pool_size=options.workers,
                          max_response_bytes=options.max_response_bytes)
    for message in transport.notices:
        (options.notify or _to_stderr)(message)
    scan_deadline = Deadline.after(
        options.scan_timeout, "scan timeout",
        f"not read within --scan-timeout {options.scan_timeout:g} s")
    captured_at = datetime.now(UTC).replace(microsecond=0)
    source = target.context or target.server
    clock = [time.perf_counter()]
    # Listing builds millions of small, never-cyclic dicts: the cyclic collector would re-scan
    # them on every sweep (50k pods: ~10 s with it, ~2 s without), so it is paused meanwhile.
    # Prefetch tasks only ever fetch one page and never wait on another task, so a listing
    # worker blocked on its prefetch cannot deadlock either pool. One worker: no pipelining,
    # one request at a time.
    with ThreadPoolExecutor(options.workers, thread_name_prefix="kaudit-list") as pool, \
            ThreadPoolExecutor(options.workers, thread_name_prefix="kaudit-page") as pages, \
            ScanProgress(options.progress) as progress, collector_paused():
        try:
            get = partial(transport.get, deadline=scan_deadline)
            found = discover(get, pool, fetch_roots=aggregated_roots(get))
        except FetchError as exc:
            raise LiveError(f"cannot read the cluster at {target.server} "
                            f"(context {target.context or '-'}): {exc}") from None
        clock.append(time.perf_counter())
        progress.types_total(len(found.resources))

        def one(resource: ApiResource) -> ListOutcome:
            # The type's own budget starts when a worker takes it up, never past the scan's.
            deadline = earliest(scan_deadline, Deadline.after(
                options.type_timeout, "timeout",
                f"not listed completely within {options.type_timeout:g} s"))
            try:
                return list_resource(transport, resource, source=f"{source}:{resource.name}",
                                     namespace=options.namespace, page_size=options.page_size,
                                     on_page=progress.objects,
                                     prefetch=pages if options.workers > 1 else None,
                                     deadline=deadline, max_pages=options.max_pages,
                                     projection=options.projection)
            finally:
                progress.type_done()

        # Collected in discovery order, not completion order, so the snapshot is deterministic.
        outcomes = list(pool.map(one, found.resources))
        clock.append(time.perf_counter())
        snapshot = _build(outcomes, found.gaps, target, options, captured_at)
    clock.append(time.perf_counter())
    seconds = {phase: clock[i + 1] - clock[i]
               for i, phase in enumerate(("discovery", "listing", "index"))}
    return LiveRead(snapshot, target.context, target.server, transport.requests, seconds)


def _build(outcomes: list[ListOutcome], discovery_gaps: tuple[CoverageGap, ...],
           target: ClusterTarget, options: LiveOptions, captured_at: datetime) -> Snapshot:
    if not any(o.gap is None for o in outcomes):
        failed = [*discovery_gaps, *(o.gap for o in outcomes if o.gap is not None)]
        reasons = Counter(g.reason for g in failed)
        summary = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
        example = f"; e.g. {failed[-1].resource}: {failed[-1].detail}" if failed else ""
        raise LiveError(f"nothing could be read from {target.server}: no resource type could "
                        f"be listed ({summary or 'none discovered'}){example}")
    objects: list[KubeObject] = []
    gaps = list(discovery_gaps)
    read: set[tuple[str, str]] = set()
    for outcome in outcomes:
        objects.extend(outcome.objects)
        res = outcome.resource
        if outcome.gap is not None:
            gaps.append(outcome.gap)
        elif not (options.namespace and res.namespaced):
            # Under -n a namespaced type was read in one namespace only: absence elsewhere
            # proves nothing, so it does not count as read.
            read.add((res.group, res.kind))
    return Snapshot.build(
        objects,
        gaps=sorted(gaps, key=lambda g: (g.resource, g.reason)),
        sources=[SourceInfo("live", context=target.context, server=target.server)],
        captured_at=captured_at,
        read_kinds=frozenset(read),
    )


def _to_stderr(message: str) -> None:
    sys.stderr.write(f"kaudit: {safe_text(message)}\n")


def _check(options: LiveOptions) -> None:
    if options.qps <= 0 or options.burst < 1 or options.timeout <= 0 or options.page_size < 1:
        raise LiveError("--qps and --timeout must be > 0, --burst and --page-size >= 1")
    if options.scan_timeout <= 0 or options.type_timeout <= 0 or options.max_pages < 1:
        raise LiveError("--scan-timeout must be > 0")
