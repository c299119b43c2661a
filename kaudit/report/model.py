"""The report every formatter renders: findings plus what was audited and against which time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kaudit.config import ConfigRef
from kaudit.model import CoverageGap, Family, Finding, Severity, Suppressed
from kaudit.rules.base import Rule
from kaudit.snapshot import SourceInfo
from kaudit.timeutil import format_time

REPORT_VERSION = 1


def fails(severity: Severity | None, fail_on: str) -> bool:
    """Whether ``severity`` is at or above the ``--fail-on`` threshold (``never``: nothing is).

    The one place the threshold is judged: the exit code of one cluster or several and the
    JUnit cases must never disagree about what fails a run.
    """
    if severity is None or fail_on == "never":
        return False
    return severity.rank >= Severity.parse(fail_on).rank


@dataclass(frozen=True)
class RuleInfo:
    """What a format needs to describe a rule that ran (SARIF ``rules[]``, JUnit passing
    cases), without holding on to the rule class."""

    code: str
    name: str
    family: Family
    severity: Severity
    summary: str
    documentation: str

    @classmethod
    def of(cls, rule: type[Rule]) -> RuleInfo:
        return cls(rule.code, rule.name, rule.family, rule.severity, rule.summary(),
                   rule.documentation())


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    now: datetime
    now_source: str
    """``option`` (--now), ``snapshot`` (capture time) or ``clock`` (wall clock)."""
    sources: tuple[SourceInfo, ...]
    objects: int
    kinds: int
    gaps: tuple[CoverageGap, ...]
    crashed: tuple[str, ...] = ()
    rules: tuple[RuleInfo, ...] = ()
    """The rules that ran, in catalogue order."""
    suppressed: tuple[Suppressed, ...] = ()
    """Findings silenced by an annotation or the baseline (only SARIF shows them)."""
    config: ConfigRef | None = None
    """The config file that shaped this report (path and digest), for every format to name:
    a pull request that changes the gate's config shows up in the report it produces."""
    fail_on: str = "error"
    """The run's ``--fail-on`` (``error``, ``warning``, ``info`` or ``never``): a format that
    shows pass/fail (JUnit) fails exactly what fails the run's exit code."""

    def gates(self, severity: Severity) -> bool:
        """Whether a finding of ``severity`` is at or above ``--fail-on``, so fails the run."""
        return fails(severity, self.fail_on)

    def rule_infos(self) -> tuple[RuleInfo, ...]:
        """Every rule a format must describe: those that ran, plus any code a finding names
        that is not among them (an engine finding with its rule ignored), sorted by code."""
        known = {r.code: r for r in self.rules}
        for f in (*self.findings, *(s.finding for s in self.suppressed)):
            if f.code not in known:
                known[f.code] = RuleInfo(f.code, f.rule, f.family, f.severity, "", "")
        return tuple(known[c] for c in sorted(known))

    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)

    def to_json(self) -> dict[str, Any]:
        """The versioned JSON contract (DESIGN.md §2). The wall clock never appears: ``now`` is
        null unless it came from ``--now`` or the snapshot's capture time."""
        return {
            "version": REPORT_VERSION,
            "now": format_time(self.now) if self.now_source != "clock" else None,
            "sources": [s.to_json() for s in self.sources],
            "config": self.config.to_json() if self.config is not None else None,
            "coverage": {
                "objects": self.objects,
                "kinds": self.kinds,
                "gaps": [g.to_json() for g in sorted(self.gaps, key=lambda g: (g.resource,
                                                                               g.reason))],
            },
            "findings": [f.to_json() for f in self.findings],
            "summary": self.summary(),
        }
