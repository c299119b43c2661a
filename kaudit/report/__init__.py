"""Report formatters, one module each, listed explicitly (no registration by import).

A new format is one module with a ``render_<name>(report, options) -> str`` and one line in
``FORMATTERS`` (which imports a format's module only when that format is rendered); the
command line, ``--help`` and the tests that cross-check every format against ``json`` pick it
up from here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping

from kaudit.report.model import Report, RuleInfo
from kaudit.report.options import FormatOptions
from kaudit.report.printable import for_people

Formatter = Callable[[Report, FormatOptions], str]


class _Formatters(Mapping[str, Formatter]):
    """Format name -> renderer, each module imported the first time its format is used.

    A scan renders one or two formats; importing all seven cost every run rich (table),
    prometheus_client and ElementTree whether it wrote them or not. ``for_people`` marks the
    formats people read: they get untrusted text with its control characters escaped.
    """

    def __init__(self, table: dict[str, tuple[str, str, bool]]) -> None:
        self._table = table
        self._loaded: dict[str, Formatter] = {}

    def __getitem__(self, name: str) -> Formatter:
        loaded = self._loaded.get(name)
        if loaded is None:
            module, function, people = self._table[name]
            render = getattr(importlib.import_module(f"kaudit.report.{module}"), function)
            loaded = self._loaded[name] = for_people(render) if people else render
        return loaded

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


FORMATTERS: Mapping[str, Formatter] = _Formatters({
    # name: (module under kaudit.report, function, for people)
    "table": ("table", "render_table", True),
    "json": ("json_format", "render_json", False),
    "sarif": ("sarif", "render_sarif", False),
    "junit": ("junit", "render_junit", True),
    "github": ("github", "render_github", True),
    "markdown": ("markdown", "render_markdown", True),
    "prometheus": ("prometheus_format", "render_prometheus", False),
})

__all__ = ["FORMATTERS", "FormatOptions", "Formatter", "Report", "RuleInfo"]
