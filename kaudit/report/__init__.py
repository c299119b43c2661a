"""Report formatters, one module each, listed explicitly (no registration by import)."""

from __future__ import annotations

from collections.abc import Callable

from kaudit.report.json_format import render_json
from kaudit.report.model import Report
from kaudit.report.options import FormatOptions
from kaudit.report.prometheus_format import render_prometheus
from kaudit.report.table import render_table

Formatter = Callable[[Report, FormatOptions], str]

FORMATTERS: dict[str, Formatter] = {
    "table": render_table,
    "json": render_json,
    "prometheus": render_prometheus,
}

__all__ = ["FORMATTERS", "FormatOptions", "Formatter", "Report"]
