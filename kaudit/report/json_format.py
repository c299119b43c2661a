"""``--format json``: the stable, versioned report; byte-identical for identical input."""

from __future__ import annotations

import orjson

from kaudit.report.model import Report
from kaudit.report.options import FormatOptions


def render_json(report: Report, options: FormatOptions) -> str:
    return orjson.dumps(report.to_json(), option=orjson.OPT_INDENT_2).decode() + "\n"
