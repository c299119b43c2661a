"""Prometheus metrics of a report: one builder for ``kaudit watch``'s ``/metrics`` and the
one-shot ``prometheus`` format (node-exporter's textfile collector, a Pushgateway).

Every metric is listed in ``METRICS`` (the README's reference table and the deploy tests read
it), so the alert rules and the dashboard can only use names kaudit exports. Exposition goes
through ``prometheus_client``: escaping, ``HELP``/``TYPE`` lines and the text format are its
job. Samples are sorted, so the same report gives the same bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from kaudit import __version__
from kaudit.model import Finding
from kaudit.report.model import Report
from kaudit.report.options import FormatOptions

PREFIX = "kaudit_"
FINDING_LABELS = ("code", "rule", "family", "severity", "namespace", "kind")


@dataclass(frozen=True)
class MetricSpec:
    name: str
    type: str
    labels: tuple[str, ...]
    help: str
    watch_only: bool = False
    """Only ``kaudit watch`` has it (it needs a running process or its own observations)."""


METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("kaudit_findings", "gauge", FINDING_LABELS,
               "Findings of the last evaluation, by rule and object kind and namespace."),
    MetricSpec("kaudit_finding_age_seconds", "gauge", FINDING_LABELS,
               "Seconds since the oldest finding of each label set was first seen by this "
               "process.", watch_only=True),
    MetricSpec("kaudit_objects", "gauge", (), "Objects read."),
    MetricSpec("kaudit_kinds", "gauge", (), "Kinds read."),
    MetricSpec("kaudit_coverage_gaps", "gauge", ("resource", "reason"),
               "Resource types that could not be read (1 per type and reason)."),
    MetricSpec("kaudit_last_successful_evaluation_timestamp_seconds", "gauge", (),
               "When the rules last ran to completion (Unix time; the snapshot's capture time "
               "for a one-shot run)."),
    MetricSpec("kaudit_build_info", "gauge", ("version",), "kaudit's version (value 1)."),
    MetricSpec("kaudit_evaluation_duration_seconds", "histogram", (),
               "Seconds one evaluation took (snapshot, graph, every rule, report).",
               watch_only=True),
    MetricSpec("kaudit_watch_restarts_total", "counter", ("resource", "reason"),
               "Watch streams restarted: closed (server timeout), expired (410 Gone, relisted) "
               "or error (broken or refused, after backoff).", watch_only=True),
    MetricSpec("kaudit_watch_events_total", "counter", ("resource", "type"),
               "Watch events received.", watch_only=True),
    MetricSpec("kaudit_ready", "gauge", (),
               "1 once the first evaluation finished (what /readyz says).", watch_only=True),
)
SPECS = {spec.name: spec for spec in METRICS}


def exported_names() -> frozenset[str]:
    """Every series name a scrape can show (histograms add ``_bucket``/``_sum``/``_count``)."""
    names: set[str] = set()
    for spec in METRICS:
        names.add(spec.name)
        if spec.type == "histogram":
            names.update(f"{spec.name}{s}" for s in ("_bucket", "_sum", "_count"))
    return frozenset(names)


@dataclass(frozen=True)
class Observed:
    """One report and what only its observer knows (``None`` in a one-shot run)."""

    report: Report
    cluster: str | None = None
    """Labels every metric ``cluster=…`` when several clusters are reported together."""
    first_seen: Mapping[str, datetime] | None = None
    """Fingerprint -> when this process first saw it (``kaudit watch``)."""
    evaluated_at: datetime | None = None
    """When the evaluation finished; default: the report's ``now`` unless it was the clock."""


def finding_labels(finding: Finding) -> tuple[str, ...]:
    ref = finding.object
    return (finding.code, finding.rule, finding.family.value, finding.severity.value,
            ref.namespace if ref else "", ref.kind if ref else "")


def report_families(observed: Sequence[Observed]) -> list[Metric]:
    """The report metrics of one or several clusters (a ``cluster`` label when several)."""
    extra = ("cluster",) if any(o.cluster is not None for o in observed) else ()

    def gauge(name: str) -> GaugeMetricFamily:
        spec = SPECS[name]
        return GaugeMetricFamily(name, spec.help, labels=(*extra, *spec.labels))

    findings, ages = gauge("kaudit_findings"), gauge("kaudit_finding_age_seconds")
    objects, kinds, gaps = gauge("kaudit_objects"), gauge("kaudit_kinds"), gauge(
        "kaudit_coverage_gaps")
    evaluated = gauge("kaudit_last_successful_evaluation_timestamp_seconds")
    any_ages = False
    for item in sorted(observed, key=lambda o: o.cluster or ""):
        report = item.report
        cluster = (item.cluster or "",) if extra else ()
        counts = Counter(finding_labels(f) for f in report.findings)
        for labels, count in sorted(counts.items()):
            findings.add_metric([*cluster, *labels], count)
        if item.first_seen is not None:
            any_ages = True
            now = item.evaluated_at or report.now
            oldest: dict[tuple[str, ...], float] = {}
            for f in report.findings:
                seen = item.first_seen.get(f.fingerprint)
                if seen is None:
                    continue
                key = finding_labels(f)
                oldest[key] = max(oldest.get(key, 0.0), (now - seen).total_seconds())
            for labels, age in sorted(oldest.items()):
                ages.add_metric([*cluster, *labels], age)
        objects.add_metric([*cluster], report.objects)
        kinds.add_metric([*cluster], report.kinds)
        for gap in sorted({(g.resource, g.reason) for g in report.gaps}):
            gaps.add_metric([*cluster, *gap], 1)
        when = item.evaluated_at or (report.now if report.now_source != "clock" else None)
        if when is not None:
            evaluated.add_metric([*cluster], when.timestamp())
    info = GaugeMetricFamily("kaudit_build_info", SPECS["kaudit_build_info"].help,
                             labels=("version",))
    info.add_metric([__version__], 1)
    out: list[Metric] = [findings]
    if any_ages:
        out.append(ages)
    out += [objects, kinds, gaps]
    if evaluated.samples:
        out.append(evaluated)
    out.append(info)
    return out


class ReportCollector(Collector):
    """A ``prometheus_client`` collector over whatever ``source`` returns at scrape time."""

    def __init__(self, source: Callable[[], Sequence[Observed]]) -> None:
        self._source = source

    def collect(self) -> Iterator[Metric]:
        yield from report_families(self._source())


def registry_for(observed: Sequence[Observed]) -> CollectorRegistry:
    """A registry holding these reports' metrics (to expose, or to push)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ReportCollector(lambda: observed))
    return registry


def exposition(observed: Sequence[Observed]) -> str:
    """The Prometheus text format of these reports."""
    return generate_latest(registry_for(observed)).decode()


def render_prometheus(report: Report, options: FormatOptions) -> str:
    """``--format prometheus``: the report's metrics for a textfile collector or a push."""
    return exposition([Observed(report)])
