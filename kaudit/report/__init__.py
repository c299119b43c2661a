"""Report formatters, one module each, listed explicitly (no registration by import).

A new format is one module with a ``render_<name>(report, options) -> str`` and one line in
``FORMATTERS``; the command line, ``--help`` and the tests that cross-check every format
against ``json`` pick it up from here.
"""

from __future__ import annotations

from collections.abc import Callable

from kaudit.report.github import render_github
from kaudit.report.json_format import render_json
from kaudit.report.junit import render_junit
from kaudit.report.markdown import render_markdown
from kaudit.report.model import Report, RuleInfo
from kaudit.report.options import FormatOptions
from kaudit.report.printable import for_people
from kaudit.report.prometheus_format import render_prometheus
from kaudit.report.sarif import render_sarif
from kaudit.report.table import render_table

Formatter = Callable[[Report, FormatOptions], str]

FORMATTERS: dict[str, Formatter] = {
    # The formats people read get untrusted text with its control characters escaped.
    "table": for_people(render_table),
    "json": render_json,
    "sarif": render_sarif,
    "junit": for_people(render_junit),
    "github": for_people(render_github),
    "markdown": for_people(render_markdown),
    "prometheus": render_prometheus,
}

__all__ = ["FORMATTERS", "FormatOptions", "Formatter", "Report", "RuleInfo"]
