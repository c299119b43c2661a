"""The report of several clusters audited in one run (``scan --context A --context B``,
``--all-contexts``, ``--contexts-from``).

Each cluster keeps its own ``Report`` (its own coverage, ``now`` and findings); the fleet
report puts them side by side. Its JSON is version 2 of the report contract: the same keys as
version 1, every finding and every gap naming its ``cluster``, and a ``clusters`` list with
each cluster's coverage and summary. A one-cluster report stays version 1, byte for byte: a
consumer of version 1 that ignores unknown keys would otherwise merge findings of different
clusters that share a fingerprint, so the version says the shape changed.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kaudit.config import ConfigRef
from kaudit.model import Severity
from kaudit.report.model import Report
from kaudit.report.options import FormatOptions
from kaudit.report.prometheus_format import Observed, exposition
from kaudit.report.table import render_table

FLEET_REPORT_VERSION = 2


@dataclass(frozen=True)
class ClusterReport:
    cluster: str
    """The kubeconfig context."""
    report: Report
    server: str = ""
    reachable: bool = True


@dataclass(frozen=True)
class FleetReport:
    clusters: tuple[ClusterReport, ...]
    """Sorted by cluster name."""
    config: ConfigRef | None = None
    """The config that shaped every cluster's report, named as a one-cluster report names it
    (a pull request changing the gate shows in the report it produces)."""

    @property
    def crashed(self) -> tuple[str, ...]:
        return tuple(sorted({c for item in self.clusters for c in item.report.crashed}))

    def worst(self) -> Severity | None:
        return max((s for item in self.clusters if (s := item.report.worst()) is not None),
                   key=lambda s: s.rank, default=None)

    def summary(self) -> dict[str, int]:
        total = {"error": 0, "warning": 0, "info": 0}
        for item in self.clusters:
            for key, value in item.report.summary().items():
                total[key] += value
        return total

    def to_json(self) -> dict[str, Any]:
        clusters: list[dict[str, Any]] = []
        findings: list[dict[str, Any]] = []
        gaps: list[dict[str, Any]] = []
        sources: list[dict[str, Any]] = []
        objects = kinds = 0
        for item in self.clusters:
            doc = item.report.to_json()
            coverage = doc["coverage"]
            clusters.append({"cluster": item.cluster, "server": item.server,
                             "reachable": item.reachable, "now": doc["now"],
                             "coverage": coverage, "summary": doc["summary"]})
            findings += [{**f, "cluster": item.cluster} for f in doc["findings"]]
            gaps += [{**g, "cluster": item.cluster} for g in coverage["gaps"]]
            sources += [{**s, "cluster": item.cluster} for s in doc["sources"]]
            objects += coverage["objects"]
            kinds += coverage["kinds"]
        return {"version": FLEET_REPORT_VERSION, "clusters": clusters, "sources": sources,
                "config": self.config.to_json() if self.config is not None else None,
                "coverage": {"objects": objects, "kinds": kinds, "gaps": gaps},
                "findings": findings, "summary": self.summary()}


def render_fleet_json(fleet: FleetReport, options: FormatOptions) -> str:
    import orjson

    return orjson.dumps(fleet.to_json(), option=orjson.OPT_INDENT_2).decode() + "\n"


def render_fleet_table(fleet: FleetReport, options: FormatOptions) -> str:
    """One section per cluster (the single-cluster table under a heading), then the total."""
    out = io.StringIO()
    for item in fleet.clusters:
        state = "" if item.reachable else " (unreachable)"
        out.write(f"== cluster {item.cluster}{state}"
                  f"{f' at {item.server}' if item.server else ''} ==\n")
        out.write(render_table(item.report, options))
        out.write("\n")
    counts = fleet.summary()
    out.write(f"{len(fleet.clusters)} clusters: {counts['error']} error(s), "
              f"{counts['warning']} warning(s), {counts['info']} info\n")
    return out.getvalue()


def render_fleet_prometheus(fleet: FleetReport, options: FormatOptions) -> str:
    """The same metrics as one cluster's, each labelled ``cluster``."""
    return exposition([Observed(item.report, cluster=item.cluster) for item in fleet.clusters])


FleetFormatter = Callable[[FleetReport, FormatOptions], str]

FLEET_FORMATTERS: dict[str, FleetFormatter] = {
    "table": render_fleet_table,
    "json": render_fleet_json,
    "prometheus": render_fleet_prometheus,
}
