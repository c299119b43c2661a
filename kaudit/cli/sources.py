"""Where a command's snapshot comes from, decided the same way for ``scan``, ``explain`` and
``graph``.

PATHs (files, folders, saved snapshots, ``-``) or ``--demo`` are read as given; with neither,
the cluster of the current kubeconfig context (or ``--context``) is read live, like kubectl.
Options that only make sense for a live read (``--context``, ``--kubeconfig``, and for ``scan``
``-n``) are refused next to a PATH rather than silently ignored: a user who typed ``--context
prod dump.yaml`` would otherwise believe they audited prod.

The choice is made (and every usage error raised) before anything is read, so a command can
validate the rest of its options first and pay for the cluster read only when all is well.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import resources

from kaudit.cli import live_opts
from kaudit.cli.common import UsageError, notice
from kaudit.cli.file_progress import FileProgress
from kaudit.cli.nothing_read import check_objects_read
from kaudit.live import LiveError, LiveOptions, NoKubeconfigError, read_cluster
from kaudit.snapshot import Snapshot
from kaudit.snapshot.files import load_snapshot
from kaudit.snapshot.gitops import GitOpsOptions
from kaudit.snapshot.reads import Projection
from kaudit.timeutil import ClockTime

DEMO_NAME = "demo-snapshot.yaml"


def _wall_clock() -> datetime:
    return datetime.now(UTC)


CLOCK = _wall_clock
"""The wall clock ``now`` falls back to (tests replace it rather than sleep)."""


@dataclass(frozen=True)
class LiveFlags:
    """The live-cluster options as typed on the command line."""

    context: str | None = None
    kubeconfig: str | None = None
    namespace: str | None = None
    """Narrow namespaced types to this namespace (``scan``); ``explain`` and ``graph`` never
    set it: their ``-n`` names an object, and they read every namespace."""
    all_namespaces: bool = False
    qps: float = live_opts.DEFAULTS.qps
    burst: int = live_opts.DEFAULTS.burst
    timeout: float = live_opts.DEFAULTS.timeout
    page_size: int = live_opts.DEFAULTS.page_size
    scan_timeout: float = live_opts.DEFAULTS.scan_timeout

    @property
    def given(self) -> bool:
        """A live-only option was given (the tuning options are harmless either way)."""
        return bool(self.context or self.kubeconfig or self.namespace)


@dataclass(frozen=True)
class Source:
    """What to read: ``live`` set means the cluster, else ``paths`` and the demo."""

    paths: tuple[str, ...]
    demo: bool
    live: LiveOptions | None
    progress: bool | None = False
    """A progress bar on stderr while files are read (``None``: when stderr is a terminal)."""
    allow_empty: bool = False
    """Files that hold no Kubernetes object are fine (pre-commit passes every changed YAML
    file, often none a manifest); otherwise that is a usage error (``nothing_read``)."""
    gitops: GitOpsOptions = field(default_factory=GitOpsOptions)
    """Render Helm charts / kustomizations found in folders (``--helm``, ``--kustomize``)."""

    def read(self, projection: Projection | None = None) -> Snapshot:
        """The snapshot; ``NoInputError`` for unreadable inputs, ``LiveError`` for a cluster
        that could not be read at all. ``projection``: keep of files' objects only what the
        scan's rules read (``kaudit.snapshot.reads``; live reads keep everything)."""
        if self.live is not None:
            return read_cluster(replace(self.live, projection=projection)).snapshot
        named = [demo_input()] if self.demo else []
        with FileProgress(self.progress) as bar:
            snapshot = load_snapshot(list(self.paths), named=named, progress=bar.update,
                                     gitops=self.gitops, projection=projection)
        if not self.allow_empty:
            check_objects_read(snapshot, self.paths)
        return snapshot


def choose_source(paths: list[str] | None, demo: bool, flags: LiveFlags, *,
                  progress: bool | None, live_flag_names: str = "--context/--kubeconfig"
                  ) -> Source:
    """PATHs or ``--demo`` if given, else the live cluster; ``UsageError`` when live-only
    options (named ``live_flag_names`` in the message) come with a PATH or ``--demo``."""
    if paths or demo:
        if flags.given:
            raise UsageError(f"{live_flag_names} read a live cluster: give them without PATH "
                             "or --demo")
        return Source(tuple(paths or ()), demo, None, progress)
    live = live_opts.live_options(
        kubeconfig=flags.kubeconfig, context=flags.context, namespace=flags.namespace,
        all_namespaces=flags.all_namespaces, qps=flags.qps, burst=flags.burst,
        timeout=flags.timeout, page_size=flags.page_size, progress=progress,
        scan_timeout=flags.scan_timeout)
    return Source((), False, live)


def live_failure(exc: LiveError, flags: LiveFlags, alternative: str) -> str:
    """The one-line reason a cluster could not be read. With no kubeconfig at all and no
    live option given, the user probably meant to read files: say how (``alternative``)."""
    if isinstance(exc, NoKubeconfigError) and not (flags.context or flags.kubeconfig):
        return f"{exc}; or {alternative}"
    return str(exc)


def progress_allowed(machine_readable_stdout: bool) -> bool | None:
    """A progress bar only for a person watching a terminal: never in CI, never while
    machine-readable output goes to stdout. ``None`` leaves the final say to the bar (it
    checks that stderr is a terminal)."""
    if os.environ.get("CI") or not sys.stderr.isatty():
        return False
    if machine_readable_stdout:
        return False
    return None


def print_gaps(snapshot: Snapshot) -> None:
    """What could not be read, on stderr: an explanation or picture drawn from a partial
    read must say so, or a missing controller looks like a dead one."""
    for gap in snapshot.gaps:
        detail = f" ({gap.detail})" if gap.detail else ""
        # Resource names and details come from the server: data, never markup.
        notice(f"not read: {gap.resource}: {gap.reason}{detail}")


def demo_input() -> tuple[str, bytes]:
    """The demo snapshot shipped with kaudit, as a named input for the loader."""
    return f"kaudit:{DEMO_NAME}", (resources.files("kaudit.demo") / DEMO_NAME).read_bytes()


def choose_now(option: datetime | None, snapshot: Snapshot) -> tuple[datetime, str]:
    """The time ages are measured against, and where it came from: ``--now``, else the
    snapshot's capture time (live reads and saved snapshots have one), else the clock."""
    if option is not None:
        return option, "option"
    if snapshot.captured_at is not None:
        return snapshot.captured_at, "snapshot"
    # Marked as the clock's: ages against it are shown the same on every run.
    return ClockTime.of(CLOCK().replace(microsecond=0)), "clock"
