"""Exit codes (DESIGN.md §2); CI gates depend on them, so they never change meaning."""

from __future__ import annotations

from kaudit.model import Severity
from kaudit.report.model import fails

OK = 0
"""Nothing at or above ``--fail-on``."""
FINDINGS = 1
"""At least one finding at or above ``--fail-on``."""
USAGE = 2
"""Usage error, bad configuration, or no input could be read at all."""
INTERNAL = 3
"""A rule crashed (the others still ran and are reported) or kaudit itself failed."""


def for_run(crashed: bool, worst: Severity | None, fail_on: str) -> int:
    """The exit code of a run, one cluster or several: 3 when a rule crashed, else 1 when the
    worst finding reaches ``--fail-on`` (judged as the JUnit cases judge it), else 0."""
    if crashed:
        return INTERNAL
    return FINDINGS if fails(worst, fail_on) else OK
