"""``kaudit scan`` over several clusters: read them concurrently (bounded), run the rules on
each, and report them side by side (``kaudit.report.fleet``).

A cluster that cannot be read at all becomes a coverage gap of that cluster (``resource:
cluster``, reason ``unreachable``), reported as a KA002 finding raised to ``error``: a whole
cluster unseen must fail a CI gate that a missing resource type would only warn about. The
exit code is the verdict over every cluster; 2 only when no cluster could be read.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from kaudit.cli import exitcodes
from kaudit.cli.common import UsageError, parse_now, write_output
from kaudit.cli.outputs import Output, colour_wanted, stdout_is_terminal, write_file
from kaudit.cli.ruleset import load_config_rules
from kaudit.cli.sources import choose_now
from kaudit.config import ConfigRef, load_config
from kaudit.engine import EngineSettings, run
from kaudit.live import LiveOptions
from kaudit.live.fleet import ClusterRead, read_clusters
from kaudit.model import CoverageGap, Severity
from kaudit.report import FormatOptions, Report
from kaudit.report.fleet import FLEET_FORMATTERS, ClusterReport, FleetReport
from kaudit.report.prometheus_format import Observed
from kaudit.rules.registry import Catalogue
from kaudit.snapshot import Snapshot, SourceInfo

UNREACHABLE = "unreachable"
GAP_CODE = "KA002"


def scan_fleet(contexts: list[str], live: LiveOptions, *, outputs: list[Output],
               fail_on: str | None, select: list[str] | None,
               ignore: list[str] | None, rules_dir: list[Path] | None, now: str | None,
               config_path: Path | None, baseline_path: Path | None,
               pushgateway: str | None, discover_config: bool = True) -> int:
    from kaudit.cli.scan import FAIL_ON, _settings

    for output in outputs:
        if output.format not in FLEET_FORMATTERS:
            raise UsageError(f"-o {output.format} does not report several clusters yet: "
                             f"choose from {', '.join(FLEET_FORMATTERS)}")
    config = load_config(config_path, discover=discover_config)
    fail_on = fail_on or config.fail_on or "error"
    if fail_on not in FAIL_ON:
        raise UsageError(f"--fail-on {fail_on!r}: choose from {', '.join(FAIL_ON)}")
    now_option = parse_now(now)
    # As for scan: a discovered config runs no Python rules.
    catalogue = load_config_rules(config, rules_dir or [])
    reads = read_clusters(contexts, live)
    clusters: list[ClusterReport] = []
    for cluster in sorted(reads, key=lambda c: c.context):
        snapshot = _snapshot_of(cluster)
        when, when_source = choose_now(now_option, snapshot)
        settings = _settings(config, select, ignore, baseline_path, when)
        clusters.append(ClusterReport(
            cluster.context, _report(snapshot, catalogue, settings, when, when_source,
                                     reachable=cluster.read is not None, fail_on=fail_on,
                                     config=config.ref),
            server=cluster.read.server if cluster.read else "",
            reachable=cluster.read is not None))
    fleet = FleetReport(tuple(clusters), config=config.ref)
    for output in sorted(outputs, key=lambda o: o.path is None):  # files first, as scan
        if output.path is None:
            terminal = stdout_is_terminal()
            options = FormatOptions(
                color=output.format == "table" and colour_wanted(terminal), terminal=terminal,
                width=shutil.get_terminal_size((120, 40)).columns if terminal else 120)
            write_output(FLEET_FORMATTERS[output.format](fleet, options), None)
        else:
            write_file(output.path, FLEET_FORMATTERS[output.format](fleet, FormatOptions()))
    if pushgateway:
        from kaudit.cli.pushgateway import push

        for item in clusters:
            push(pushgateway, [Observed(item.report)], item.cluster)
    if not any(c.reachable for c in clusters):
        return exitcodes.USAGE
    return _exit_code(fleet, fail_on)


def _snapshot_of(cluster: ClusterRead) -> Snapshot:
    """The cluster's snapshot, or for an unreachable one an empty snapshot whose only content
    is that gap (nothing counts as read, so no rule reports anything missing)."""
    if cluster.read is not None:
        return cluster.read.snapshot
    return Snapshot.build([], gaps=[CoverageGap("cluster", UNREACHABLE, cluster.error)],
                          sources=[SourceInfo("live", context=cluster.context)],
                          read_kinds=frozenset())


def _report(snapshot: Snapshot, catalogue: Catalogue, settings: EngineSettings,
            when: datetime, when_source: str, *, reachable: bool,
            fail_on: str = "error", config: ConfigRef | None = None) -> Report:
    result = run(snapshot, catalogue, settings)
    findings = result.findings
    if not reachable:
        findings = tuple(replace(f, severity=Severity.ERROR) if f.code == GAP_CODE else f
                         for f in findings)
    return Report(findings=findings, now=when, now_source=when_source,
                  sources=snapshot.sources, objects=len(snapshot), kinds=len(snapshot.kinds()),
                  gaps=snapshot.gaps, crashed=result.crashed, fail_on=fail_on, config=config)


def _exit_code(fleet: FleetReport, fail_on: str) -> int:
    return exitcodes.for_run(fleet.crashed, fleet.worst(), fail_on)
