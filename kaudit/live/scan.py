"""Read a live cluster into a ``Snapshot``: discover, list every type concurrently, record
what could not be read.

Read-only by construction: the only request this package can send is ``Transport.get``.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kaudit.live.discovery import ApiResource, aggregated_roots, discover
from kaudit.live.errors import FetchError, LiveError
from kaudit.live.listing import ListOutcome, list_resource
from kaudit.live.progress import ScanProgress
from kaudit.model import CoverageGap
from kaudit.snapshot import KubeObject, Snapshot, SourceInfo
from kaudit.snapshot.collector import collector_paused

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
    """Seconds to wait for an answer to one request."""
    page_size: int = 500
    workers: int = 8
    progress: bool | None = None
    """Show a progress bar; ``None``: when stderr is a terminal."""


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
                          timeout=options.timeout, pool_size=options.workers)
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
            found = discover(transport.get, pool, fetch_roots=aggregated_roots(transport.get))
        except FetchError as exc:
            raise LiveError(f"cannot read the cluster at {target.server} "
                            f"(context {target.context or '-'}): {exc}") from None
        clock.append(time.perf_counter())
        progress.types_total(len(found.resources))

        def one(resource: ApiResource) -> ListOutcome:
            try:
                return list_resource(transport, resource, source=f"{source}:{resource.name}",
                                     namespace=options.namespace, page_size=options.page_size,
                                     on_page=progress.objects,
                                     prefetch=pages if options.workers > 1 else None)
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


def _check(options: LiveOptions) -> None:
    if options.qps <= 0 or options.burst < 1 or options.timeout <= 0 or options.page_size < 1:
        raise LiveError("--qps and --timeout must be > 0, --burst and --page-size >= 1")
