"""Exit codes (DESIGN.md §2); CI gates depend on them, so they never change meaning."""

OK = 0
"""Nothing at or above ``--fail-on``."""
FINDINGS = 1
"""At least one finding at or above ``--fail-on``."""
USAGE = 2
"""Usage error, bad configuration, or no input could be read at all."""
INTERNAL = 3
"""A rule crashed (the others still ran and are reported) or kaudit itself failed."""
