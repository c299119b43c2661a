"""Run the selected rules over one snapshot: isolate crashes, apply options, severities and
suppressions, and return findings in one deterministic order."""

from __future__ import annotations

import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson

from kaudit.graph import ClusterGraph, build_graph
from kaudit.model import Finding, Severity, Suppressed
from kaudit.rules.base import Rule
from kaudit.rules.context import RuleContext
from kaudit.rules.meta import InternalError
from kaudit.rules.options import build_options
from kaudit.rules.registry import Catalogue
from kaudit.snapshot import Snapshot
from kaudit.snapshot.reads import Projection
from kaudit.suppress import apply_suppressions


@dataclass(frozen=True)
class EngineSettings:
    now: datetime
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Per-rule options keyed by code or name (from the config file)."""
    severities: Mapping[str, Severity] = field(default_factory=dict)
    baseline: frozenset[str] | None = None
    previous: Snapshot | None = None
    against: Snapshot | None = None
    """The cluster the scanned manifests are about to be applied to (``--against``)."""
    costs: dict[str, float] | None = field(default=None, compare=False)
    """When a dict, ``run`` records each rule's CPU seconds in it, keyed by code (the
    benchmark's per-rule cost table)."""
    kube_version: tuple[int, int] | None = None
    """The Kubernetes release the scanned manifests are meant for (``--kube-version``)."""


@dataclass(frozen=True)
class EngineResult:
    findings: tuple[Finding, ...]
    rules_run: tuple[str, ...]
    crashed: tuple[str, ...]
    tracebacks: tuple[str, ...] = ()
    suppressed: tuple[Suppressed, ...] = ()
    """Findings an annotation or the baseline silenced, sorted like ``findings``."""


def matches(rule: type[Rule], tokens: Sequence[str]) -> bool:
    """A token selects a rule by code prefix (``FN``, ``FN00``, ``FN001``) or by name."""
    return any(rule.code.startswith(t.upper()) or rule.name == t for t in tokens)


def selected_rules(catalogue: Catalogue, select: Sequence[str],
                   ignore: Sequence[str]) -> list[type[Rule]]:
    return [
        rule for rule in catalogue.rules
        if (not select or matches(rule, select)) and not matches(rule, ignore)
    ]


def resolve_options(rule: type[Rule], configured: Mapping[str, Mapping[str, Any]]) -> Any:
    values: dict[str, Any] = {}
    for key in (rule.name, rule.code):
        values.update(configured.get(key, {}))
    values.pop("severity", None)
    return build_options(rule.Options, values, rule.code)


def projection_for(catalogue: Catalogue, select: Sequence[str] = (),
                   ignore: Sequence[str] = (),
                   options: Mapping[str, Mapping[str, Any]] | None = None, *,
                   strict: bool = False, manifests: bool = False) -> Projection | None:
    """What a scan with these rules may drop of lean kinds' bodies while loading: the union of
    what the selected rules (with their options) and every graph extractor declare they read;
    ``None`` (keep everything) when one of them declares nothing (``kaudit.snapshot.reads``)."""
    from kaudit.graph.edges import EXTRACTORS

    rules = selected_rules(catalogue, select, ignore)
    declared = [rule.declared_reads(resolve_options(rule, options or {})) for rule in rules]
    declared.extend(extractor.reads for extractor in EXTRACTORS)
    return Projection.of(declared, strict=strict, manifests=manifests)


def run(snapshot: Snapshot, catalogue: Catalogue, settings: EngineSettings,
        graph: ClusterGraph | None = None) -> EngineResult:
    graph = graph or build_graph(snapshot)
    rules = selected_rules(catalogue, settings.select, settings.ignore)
    findings: list[Finding] = []
    crashed: list[str] = []
    tracebacks: list[str] = []
    for rule_type in rules:
        options = resolve_options(rule_type, settings.options)
        ctx = RuleContext(snapshot, graph, options, settings.now, settings.previous,
                          settings.against, kube_version=settings.kube_version)
        rule = rule_type()
        started = time.process_time()
        try:
            produced = list(rule.check(ctx))
        except Exception as exc:  # a broken rule must not end the audit
            crashed.append(rule_type.code)
            tracebacks.append(traceback.format_exc())
            findings.append(InternalError().finding(
                None,
                message=f"rule {rule_type.code} {rule_type.name} crashed: "
                        f"{type(exc).__name__}: {exc}; its findings are missing from this report",
                evidence={"subject": rule_type.code},
            ))
            continue
        finally:
            if settings.costs is not None:
                settings.costs[rule_type.code] = time.process_time() - started
        severities = settings.severities
        override = severities.get(rule_type.code) or severities.get(rule_type.name)
        if override is not None:
            produced = [replace(f, severity=override) for f in produced]
        findings.extend(produced)
    suppressed: list[Suppressed] = []
    findings = apply_suppressions(
        findings, snapshot, catalogue, {r.name for r in rules}, settings.baseline, suppressed)
    return EngineResult(
        findings=tuple(sort_findings(findings)),
        rules_run=tuple(r.code for r in rules),
        crashed=tuple(crashed),
        tracebacks=tuple(tracebacks),
        suppressed=_sort_suppressed(suppressed),
    )


def _sort_suppressed(suppressed: Sequence[Suppressed]) -> tuple[Suppressed, ...]:
    """Deterministic and free of exact duplicates, as ``sort_findings``."""
    unique: dict[bytes, Suppressed] = {}
    for s in suppressed:
        key = orjson.dumps([s.finding.to_json(), s.via, s.justification],
                           option=orjson.OPT_SORT_KEYS)
        unique.setdefault(key, s)
    return tuple(sorted(unique.values(), key=lambda s: (s.finding.sort_key(), s.via)))


def sort_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Sorted and free of exact duplicates (an object defined twice in the inputs would
    otherwise be reported twice by every rule that looks at it)."""
    unique: dict[bytes, Finding] = {}
    for f in findings:
        unique.setdefault(orjson.dumps(f.to_json(), option=orjson.OPT_SORT_KEYS), f)
    return sorted(unique.values(), key=Finding.sort_key)
