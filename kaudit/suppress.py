"""Suppressions: ``ignore.kaudit.io/<rule-name>`` annotations and baselines of fingerprints.

Unused suppressions are findings too (KA004): a suppression that matches nothing is either
stale or misspelt, and both hide the next real problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from kaudit.model import Finding, ObjectKey, Severity, Suppressed
from kaudit.rules.meta import SuppressionProblem
from kaudit.snapshot import KubeObject, Snapshot

PREFIX = "ignore.kaudit.io/"
_KA004 = SuppressionProblem()


def apply_suppressions(
    findings: Sequence[Finding],
    snapshot: Snapshot,
    catalogue: Any,
    rules_run: set[str],
    baseline: frozenset[str] | None,
    suppressed: list[Suppressed] | None = None,
) -> list[Finding]:
    """The findings left after suppressions, plus KA004 about the suppressions themselves.
    What was silenced is appended to ``suppressed`` when given.

    Annotations first, then the KA004 findings about annotations, and only then the baseline
    over all of them: a baseline written from a report holds those KA004 fingerprints too,
    and must hide them on the next run like any other finding."""
    annotated: list[Finding] = []
    silenced: list[Suppressed] = [] if suppressed is None else suppressed
    used_annotations: set[tuple[ObjectKey, str]] = set()
    for finding in findings:
        if finding.object is not None and finding.code != _KA004.code:
            obj = snapshot.get(finding.object.key)
            annotation = PREFIX + finding.rule
            if obj is not None and annotation in obj.annotations:
                used_annotations.add((obj.key, finding.rule))
                reason = obj.annotations[annotation]
                silenced.append(Suppressed(finding, "annotation",
                                           reason if isinstance(reason, str) else ""))
                continue
        annotated.append(finding)
    annotated.extend(_annotation_problems(snapshot, catalogue, rules_run, used_annotations))
    if baseline is None:
        return annotated
    kept: list[Finding] = []
    for finding in annotated:
        if finding.fingerprint in baseline:
            silenced.append(Suppressed(finding, "baseline", "listed in the baseline"))
        else:
            kept.append(finding)
    used_baseline = {f.fingerprint for f in annotated} & baseline
    kept.extend(_baseline_problems(baseline - used_baseline))
    return kept


def _annotated(snapshot: Snapshot) -> Iterable[tuple[KubeObject, str, Any]]:
    for obj in snapshot:
        annotations = obj.annotations
        if not annotations:
            continue
        for key, value in annotations.items():
            if key.startswith(PREFIX):
                yield obj, key[len(PREFIX):], value


def _annotation_problems(snapshot: Snapshot, catalogue: Any, rules_run: set[str],
                         used: set[tuple[ObjectKey, str]]) -> Iterable[Finding]:
    for obj, rule_name, reason in _annotated(snapshot):
        pointer = "/metadata/annotations/" + (PREFIX + rule_name).replace("~", "~0").replace(
            "/", "~1")
        if catalogue.by_name(rule_name) is None:
            yield _KA004.finding(
                obj, at=pointer,
                message=f"suppression names rule {rule_name!r}, which does not exist "
                        "(rules are named as in `kaudit rules list`, e.g. stuck-deletion)")
            continue
        if not isinstance(reason, str) or not reason.strip():
            yield _KA004.finding(
                obj, at=pointer,
                message=f"suppression of {rule_name} gives no reason; say why it is safe to "
                        "ignore, for the next person who reads it")
        if rule_name in rules_run and (obj.key, rule_name) not in used:
            yield _KA004.finding(
                obj, at=pointer,
                message=f"suppression of {rule_name} matched no finding; remove it if the "
                        "problem it hid is gone")


def _baseline_problems(unused: Iterable[str]) -> Iterable[Finding]:
    for fingerprint in sorted(unused):
        yield _KA004.finding(
            None, at="",
            message=f"baseline entry {fingerprint} matched no finding; the problem is fixed, "
                    "remove it from the baseline",
            severity=Severity.INFO,
            evidence={"subject": fingerprint},
        )
