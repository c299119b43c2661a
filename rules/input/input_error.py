"""Inputs that could not be audited."""

from __future__ import annotations

from collections.abc import Iterator

from kaudit.rules import NOTHING, Family, Finding, Rule, RuleContext, Severity


class InputError(Rule):
    """A document that is not valid YAML/JSON, or not a Kubernetes object.

    kaudit audits every other document of the same file, but what it could not read it could
    not check: a CI gate that ignores this passes manifests nobody looked at. Typeless objects
    (metadata without apiVersion/kind, common in support bundles) are warnings; broken YAML,
    unreadable files and binary data are errors.
    Fix: correct the document at the file and line shown (``kubectl apply --dry-run=client``
    reports the same problem), or leave non-Kubernetes files out of the scan.
    """

    code = "KA001"
    name = "input-error"
    family = Family.INPUT
    severity = Severity.ERROR
    reads = NOTHING

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for problem in ctx.snapshot.problems:
            yield self.finding(None, message=problem.message, severity=problem.severity,
                               source=problem.source)
