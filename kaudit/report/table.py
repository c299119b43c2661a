"""``--format table``: what an engineer reads in a terminal, worst first."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from kaudit.model import Finding, Severity
from kaudit.report.model import Report
from kaudit.report.options import FormatOptions
from kaudit.snapshot import SourceInfo
from kaudit.textsafe import safe_text
from kaudit.timeutil import format_time

STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _where(finding: Finding) -> Text:
    text = Text()
    if finding.object is not None:
        text.append(safe_text(finding.object.short))
        if finding.object.group:
            text.append(f" ({safe_text(finding.object.group)})", style="dim")
    if finding.source is not None:
        if text:
            text.append("\n")
        text.append(safe_text(finding.source), style="dim")
    return text


def render_table(report: Report, options: FormatOptions) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=options.color, no_color=not options.color,
                      width=options.width, highlight=False, soft_wrap=False)
    def named(s: SourceInfo) -> str:
        return safe_text(s.context or s.server or ", ".join(s.paths) or s.type)

    sources = ", ".join(named(s) for s in report.sources if s.type != "against")
    against = ", ".join(named(s) for s in report.sources if s.type == "against")
    if against:
        sources += f" (against {against})"
    now_note = {"option": "--now", "snapshot": "snapshot capture time",
                "clock": "wall clock"}[report.now_source]
    console.print(Text.assemble(
        ("kaudit ", "bold"), f"{report.objects} objects, {report.kinds} kinds from {sources}; "
        f"now {format_time(report.now)} ({now_note})"))
    config = report.config.describe() if report.config else "none"
    # Never wrapped: a reviewer compares the digest with the one of the last run.
    console.print(Text(f"config: {safe_text(config)}", style="dim"), soft_wrap=True)
    for gap in report.gaps:
        console.print(Text(safe_text(f"coverage gap: {gap.resource}: {gap.reason}"),
                           style="yellow"))
    findings = sorted(report.findings, key=lambda f: (-f.severity.rank, f.sort_key()))
    if findings:
        table = Table(show_lines=False, expand=True, header_style="bold")
        table.add_column("severity", no_wrap=True)
        table.add_column("code", no_wrap=True)
        table.add_column("object", ratio=2)
        table.add_column("finding", ratio=4)
        for f in findings:
            # Messages quote cluster and file text: escaped, never markup.
            message = Text(safe_text(f.message, multiline=True))
            if f.pointer:
                message.append(f"\nat {safe_text(f.pointer)}", style="dim")
            for rel in f.related:
                message.append(f"\n{rel.role}: {safe_text(rel.ref.short)}", style="dim")
            table.add_row(Text(f.severity.value, style=STYLE[f.severity]), f.code,
                          _where(f), message)
        console.print(table)
    counts = report.summary()
    console.print(Text.assemble(
        (f"{counts['error']} error(s)", STYLE[Severity.ERROR] if counts["error"] else ""), ", ",
        (f"{counts['warning']} warning(s)", STYLE[Severity.WARNING] if counts["warning"] else ""),
        f", {counts['info']} info"))
    return buffer.getvalue()
