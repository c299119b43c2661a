"""``-o table``: what an engineer reads, in two layouts chosen by where it goes.

In a terminal: findings grouped by family and rule with a count per rule, each with its
object and ``file:line`` in full (wrapped, never cut: they are what the reader acts on), then a
summary table. Anywhere else (a CI log, a pipe, a file): one finding per line in the form
compilers and flake8 print, ``path:line: severity CODE Kind/ns/name: message``, with detail
lines indented under it, so editors and log scanners jump straight to the file.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from kaudit.model import Family, Finding, Severity
from kaudit.report.locations import details, object_label, where
from kaudit.report.model import Report
from kaudit.report.options import FormatOptions
from kaudit.report.printable import printable
from kaudit.snapshot import SourceInfo
from kaudit.timeutil import format_time

STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
ANSI = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
INDENT = "    "


def headline(report: Report) -> str:
    def named(s: SourceInfo) -> str:
        return s.context or s.server or ", ".join(s.paths) or s.type

    sources = ", ".join(named(s) for s in report.sources if s.type != "against")
    against = ", ".join(named(s) for s in report.sources if s.type == "against")
    if against:
        sources += f" (against {against})"
    now_note = {"option": "--now", "snapshot": "snapshot capture time",
                "clock": "wall clock"}[report.now_source]
    return (f"kaudit {report.objects} objects, {report.kinds} kinds from {sources}; "
            f"now {format_time(report.now)} ({now_note})")


def config_line(report: Report) -> str:
    """Which config shaped the report, with its digest: a reviewer sees a changed gate.
    (The path is the user's or the checkout's: shown with its control characters escaped.)"""
    return f"config: {printable(report.config.describe()) if report.config else 'none'}"


def counts_line(report: Report) -> str:
    counts = report.summary()
    line = f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info"
    if report.suppressed:
        line += f"; {len(report.suppressed)} suppressed"
    return line


def worst_first(findings: tuple[Finding, ...] | list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.severity.rank, f.sort_key()))


# ---- lines: CI logs, pipes, files ---------------------------------------------------------

def finding_line(finding: Finding, options: FormatOptions) -> str:
    severity = finding.severity.value
    if options.color:
        severity = f"{ANSI[finding.severity]}{severity}\x1b[0m"
    parts = []
    loc = where(finding.source, options.cwd)
    if loc:
        parts.append(f"{loc}: ")
    parts.append(f"{severity} {finding.code}")
    if finding.object is not None:
        parts.append(f" {object_label(finding.object)}")
    message = finding.message.replace("\n", "\n" + INDENT)
    parts.append(f": {message}")
    lines = ["".join(parts)]
    lines += [INDENT + d for d in details(finding, options.cwd)]
    return "\n".join(lines)


def render_lines(report: Report, options: FormatOptions) -> str:
    out = [headline(report), config_line(report)]
    for gap in sorted(report.gaps, key=lambda g: (g.resource, g.reason)):
        out.append(f"coverage gap: {gap.resource}: {gap.reason}")
    out += [finding_line(f, options) for f in worst_first(report.findings)]
    out.append(counts_line(report))
    return "\n".join(out) + "\n"


# ---- terminal: grouped, with a summary ----------------------------------------------------

def _print_finding(console: Console, finding: Finding, options: FormatOptions) -> None:
    """The head line (severity, object, ``file:line``) is printed unwrapped: the terminal may
    wrap it, but nothing cuts or splits what the reader copies. The message and details
    wrap under it, indented."""
    head = Text()
    head.append(f"{finding.severity.value:<7}", style=STYLE[finding.severity])
    head.append(" ")
    if finding.object is not None:
        head.append(finding.object.short, style="bold")
        if finding.object.group:
            head.append(f" ({finding.object.group})", style="dim")
    loc = where(finding.source, options.cwd)
    if loc:
        if finding.object is not None:
            head.append("  ")
        head.append(loc, style="underline")
    console.print(head, soft_wrap=True)
    body = Text(finding.message, overflow="fold")
    # The patch is long and rarely read here; `-o json` and `kaudit explain` carry it.
    for d in details(finding, options.cwd, fix=False):
        body.append("\n" + d, style="dim")
    console.print(Padding(body, (0, 0, 0, 8)))


def _summary(report: Report) -> Table:
    per_rule: dict[tuple[str, str], Counter[Severity]] = defaultdict(Counter)
    for f in report.findings:
        per_rule[(f.code, f.rule)][f.severity] += 1
    table = Table(title="summary", title_justify="left", header_style="bold",
                  show_footer=bool(per_rule))
    counts = report.summary()
    table.add_column("rule", footer="total", overflow="fold")
    for s in SEVERITIES:
        table.add_column(s.value, justify="right", footer=str(counts[s.value]), no_wrap=True)
    for (code, name), c in sorted(per_rule.items()):
        table.add_row(f"{code} {name}", *(str(c[s]) if c[s] else "" for s in SEVERITIES))
    return table


def render_terminal(report: Report, options: FormatOptions) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=options.width, force_terminal=options.color,
                      no_color=not options.color,
                      color_system="auto" if options.color else None,
                      highlight=False, soft_wrap=False, emoji=False)
    console.print(Text(headline(report), style="bold"))
    # Never wrapped: a reviewer compares the digest with the one of the last run.
    console.print(Text(config_line(report), style="dim"), soft_wrap=True)
    for gap in sorted(report.gaps, key=lambda g: (g.resource, g.reason)):
        console.print(Text(f"coverage gap: {gap.resource}: {gap.reason}", style="yellow"))
    by_rule: dict[tuple[Family, str, str], list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_rule[(f.family, f.code, f.rule)].append(f)
    family_order = {fam: i for i, fam in enumerate(Family)}
    current: Family | None = None
    for (family, code, rule), findings in sorted(
            by_rule.items(), key=lambda kv: (family_order[kv[0][0]], kv[0][1])):
        if family is not current:
            console.print()
            console.rule(Text(family.value, style="bold"), align="left")
            current = family
        per = Counter(f.severity for f in findings)
        split = ", ".join(f"{per[s]} {s.value}" for s in SEVERITIES if per[s])
        console.print(Text.assemble((f"{code} {rule}", "bold"), f"  {len(findings)} "
                                    f"finding{'s' if len(findings) != 1 else ''} ({split})"))
        for f in worst_first(findings):
            _print_finding(console, f, options)
    console.print()
    console.print(_summary(report))
    kinds = f"{report.objects} objects, {report.kinds} kinds read"
    gaps = f"{len(report.gaps)} coverage gap(s)" if report.gaps else "no coverage gaps"
    console.print(Text(f"{kinds}; {gaps}"))
    console.print(Text(counts_line(report), style="bold"))
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def render_table(report: Report, options: FormatOptions) -> str:
    return render_terminal(report, options) if options.terminal else render_lines(report,
                                                                                  options)
