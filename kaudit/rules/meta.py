"""Findings the engine itself raises. They live in the core because the engine needs them
even when no pack is installed; the ``input`` pack lists them so the catalogue shows them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kaudit.model import Family, Finding, Severity
from kaudit.rules.base import Rule
from kaudit.snapshot.reads import NOTHING


class InternalError(Rule):
    """A rule crashed; the scan went on without its findings.

    kaudit isolates every rule: when one raises, its exception becomes this finding, every
    other rule still runs, and the exit code is 3 so that CI notices the audit was incomplete.
    Fix: report it with the message shown (and ``--debug`` output); a rule from ``--rules-dir``
    is the usual suspect.
    """

    code = "KA003"
    name = "internal-error"
    family = Family.INPUT
    severity = Severity.ERROR
    reads = NOTHING

    def check(self, ctx: Any) -> Iterator[Finding]:
        return iter(())


class SuppressionProblem(Rule):
    """An ignore annotation without a reason, or a suppression that matched nothing.

    ``ignore.kaudit.io/<rule-name>: "<reason>"`` silences one rule on one object; the reason is
    what the next engineer reads, so an empty one is reported. Annotations and baseline entries
    that no longer match any finding are reported too, so suppressions do not outlive the
    problem they hid. Fix: write the reason, or delete the stale suppression.
    """

    code = "KA004"
    name = "suppression-problem"
    family = Family.INPUT
    severity = Severity.INFO
    reads = NOTHING

    def check(self, ctx: Any) -> Iterator[Finding]:
        return iter(())


ENGINE_RULES: tuple[type[Rule], ...] = (InternalError, SuppressionProblem)
