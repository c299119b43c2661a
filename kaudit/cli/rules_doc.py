"""Rule documentation for people: the docstrings' reST-ish markup as Markdown and as styled
terminal text, and the README's rule table generated from the same docstrings.

Rule docstrings use ``double backticks`` for code and a ``Fix:`` paragraph (see *Writing
rules* in the README). ``kaudit rules show`` and ``rules list`` used to print that markup raw;
now a terminal shows code as code, ``--format markdown`` gives the Markdown SARIF's ``help``
uses (``kaudit.report.ruledoc``), and the README's table is this module's output, checked by a test
(``tests/cli/test_rules_doc.py``). After adding or changing a rule, regenerate it with::

    python -m pytest tests/cli/test_rules_doc.py --update-expected
"""

from __future__ import annotations

import dataclasses
import re

from rich.text import Text

from kaudit.report.ruledoc import to_markdown
from kaudit.rules.base import Rule
from kaudit.rules.registry import Catalogue, load_catalogue
from kaudit.timeutil import format_duration

_CODE = re.compile(r"``(.+?)``", re.S)
CODE_STYLE = "bold cyan"

TABLE_START = ("<!-- rules-table: generated from the rules' docstrings; regenerate with "
               "`python -m pytest tests/cli/test_rules_doc.py --update-expected` -->")
TABLE_END = "<!-- rules-table: end -->"


def styled(text: str) -> Text:
    """One line of docstring as rich ``Text``: code spans styled, nothing else interpreted
    (the docstring is data, not rich markup)."""
    out = Text()
    last = 0
    for match in _CODE.finditer(text):
        out.append(text[last:match.start()])
        out.append(match.group(1), style=CODE_STYLE)
        last = match.end()
    out.append(text[last:])
    return out


def option_rows(rule: type[Rule]) -> list[tuple[str, str]]:
    """The rule's options as (config key, default shown)."""
    if not dataclasses.is_dataclass(rule.Options):
        return []
    rows = []
    for f in dataclasses.fields(rule.Options):
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else None)
        shown = format_duration(default) if hasattr(default, "total_seconds") else repr(default)
        rows.append((f.name.replace("_", "-"), shown))
    return rows


def rule_markdown(rule: type[Rule], origin: str) -> str:
    """A rule's whole documentation as one Markdown section."""
    lines = [f"## {rule.code} {rule.name}", "",
             f"Family **{rule.family.value}**, default severity **{rule.severity.value}**, "
             f"from {origin}.", "", to_markdown(rule.documentation())]
    options = option_rows(rule)
    if options:
        lines += ["", f"Options (in `[tool.kaudit.rules.{rule.name}]` or `.kaudit.toml`'s "
                      f"`[rules.{rule.name}]`):", "", "| option | default |", "|---|---|"]
        lines += [f"| `{name}` | `{default}` |" for name, default in options]
    lines += ["", f"Suppress on one object: annotation `ignore.kaudit.io/{rule.name}: "
                  '"<reason>"`.']
    return "\n".join(lines) + "\n"


def summary(rule: type[Rule]) -> str:
    """The docstring's first paragraph on one line (``Rule.summary`` keeps only its first
    line, which cuts summaries that wrap)."""
    doc = rule.documentation().strip()
    return " ".join(doc.split("\n\n", 1)[0].split())


def _cell(text: str) -> str:
    return to_markdown(text).replace("|", "\\|").replace("\n", " ")


def catalogue_markdown(catalogue: Catalogue) -> str:
    """The catalogue as a Markdown table: code, name, family, default severity, summary."""
    lines = ["| code | name | family | default | flags |", "|---|---|---|---|---|"]
    lines += [f"| {r.code} | {r.name} | {r.family.value} | {r.severity.value} | "
              f"{_cell(summary(r))} |" for r in catalogue.rules]
    return "\n".join(lines) + "\n"


def readme_with_table(readme: str, table: str) -> str:
    """``readme`` with the text between the table markers replaced by ``table``."""
    start = readme.index(TABLE_START) + len(TABLE_START)
    end = readme.index(TABLE_END, start)
    return readme[:start] + "\n" + table + readme[end:]


def complete_rule(incomplete: str) -> list[str]:
    """Shell completion for a rule code or name (``rules show``, ``--select``, ``--ignore``):
    the installed rules only (no ``--rules-dir`` is known while completing)."""
    try:
        rules = load_catalogue().rules
    except Exception:  # completion must never print a traceback into the user's shell
        return []
    words = [w for r in rules for w in (r.code, r.name)]
    last = incomplete.rsplit(",", 1)
    head = f"{last[0]}," if len(last) == 2 else ""
    return [head + w for w in words if w.lower().startswith(last[-1].lower())]
