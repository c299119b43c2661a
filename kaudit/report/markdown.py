"""``-o markdown``: a summary for a pull-request comment (and ``$GITHUB_STEP_SUMMARY``).

Counts per severity and family, a table of findings linking each to its file and line, the
fixes folded in ``<details>``. GitHub refuses comments over 65,536 characters, so rows and
fixes stop before that with a note saying how many were left out and where to find them.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import quote

import orjson

from kaudit.model import Family, Finding, Severity
from kaudit.report.locations import display_path, repo_path, subject
from kaudit.report.model import Report
from kaudit.report.options import FormatOptions

LIMIT = 65_536
"""GitHub's maximum comment body, in characters."""
MAX_CELL = 2_000
"""Longest text of one cell, in characters (a table row holds two: object and message)."""
GAPS_BUDGET = LIMIT // 4
"""Coverage gap lines stop here (a live scan can have hundreds): the findings come first."""
SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
ICON = {Severity.ERROR: ":red_circle:", Severity.WARNING: ":warning:",
        Severity.INFO: ":information_source:"}


_INLINE = re.compile(r"([\\`*_\[\]~|])")
# ``@name`` notifies that user or team and ``#123`` / ``GH-123`` / ``owner/repo#123`` links
# (and back-references) an issue when GitHub renders the comment. A zero-width space after
# the sign keeps the text as it reads and stops both.
_PING = re.compile(r"(@|#|\bGH-)(?=\w)", re.IGNORECASE)
_ZWSP = "\u200b"


def _cut(text: str) -> str:
    """At most ``MAX_CELL`` characters, cut before escaping (an escape is never split): one
    huge message cannot take the comment's whole budget and push every later row out."""
    return text if len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "…"


def cell(text: str) -> str:
    """Untrusted text safe inside a table cell or a line: no pipe, no newline, no HTML, and
    no Markdown of its own -- a name like ``[x](https://…)`` or a stray backtick stays text
    instead of becoming a link or code in the comment, and ``@someone`` pings nobody."""
    text = _PING.sub(lambda m: m.group() + _ZWSP, text)
    return (_INLINE.sub(r"\\\1", text).replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", " ").replace("\n", "<br>"))


def _location(finding: Finding, options: FormatOptions) -> str:
    if finding.source is None:
        return ""
    shown = display_path(finding.source.file, options.cwd)
    if finding.source.line is not None:
        shown += f":{finding.source.line}"
    # Links resolve from the repository root (blob URLs, and GitHub's relative links in a
    # pull-request comment), whatever folder the scan ran in.
    rel = repo_path(finding.source.file, options.cwd)
    if rel is None:
        return f"`{shown}`" if "`" not in shown else cell(shown)
    target = quote(rel)
    if options.link_base:
        target = options.link_base.rstrip("/") + "/" + target
    if finding.source.line is not None:
        target += f"#L{finding.source.line}"
    return f"[{cell(shown)}]({target})"


def _what(finding: Finding) -> str:
    return finding.object.short if finding.object else subject(finding)


def _header(report: Report) -> list[str]:
    counts = report.summary()
    verdict = ", ".join(f"{counts[s.value]} {s.value}" for s in SEVERITIES)
    families = [f for f in Family if any(x.family is f for x in report.findings)]
    per = Counter((f.family, f.severity) for f in report.findings)
    lines = [f"## kaudit: {verdict}", "",
             f"{report.objects} objects of {report.kinds} kinds read"
             + (f"; {len(report.gaps)} coverage gap(s)" if report.gaps else "")
             + (f"; {len(report.suppressed)} finding(s) suppressed" if report.suppressed
                else "") + ".", ""]
    if families:
        lines.append("| severity | " + " | ".join(f.value for f in families) + " | total |")
        lines.append("|---|" + "---:|" * (len(families) + 1))
        for s in SEVERITIES:
            row = [str(per[(f, s)]) for f in families]
            lines.append(f"| {ICON[s]} {s.value} | " + " | ".join(row)
                         + f" | {counts[s.value]} |")
        lines.append("")
    gaps = sorted(report.gaps, key=lambda g: (g.resource, g.reason))
    used = 0
    for i, gap in enumerate(gaps):
        line = f"- coverage gap: {cell(_cut(gap.resource))} not read: {cell(_cut(gap.reason))}"
        if used + len(line) > GAPS_BUDGET:
            lines.append(f"- and {len(gaps) - i} more coverage gap(s): see the `json` or "
                         "`sarif` output")
            break
        lines.append(line)
        used += len(line) + 1
    if report.gaps:
        lines.append("")
    return lines


def _fix_block(finding: Finding, options: FormatOptions) -> str:
    patch = orjson.dumps(list(finding.fix), option=orjson.OPT_INDENT_2).decode()
    where = _location(finding, options)
    title = f"**{finding.code}** {cell(_what(finding))}" + (f" ({where})" if where else "")
    pointer = f" at `{finding.pointer}`" if finding.pointer else ""
    return f"{title}{pointer}\n\n```json\n{patch}\n```\n"


def render_markdown(report: Report, options: FormatOptions) -> str:
    findings = sorted(report.findings, key=lambda f: (-f.severity.rank, f.sort_key()))
    head = "\n".join(_header(report)) + "\n"
    if not findings:
        return head + "No findings.\n"
    # Keep room for the closing note so that the whole body stays under the limit.
    budget = LIMIT - len(head) - 400
    rows = ["| severity | rule | object | location | message |", "|---|---|---|---|---|"]
    used = sum(len(r) + 1 for r in rows)
    shown = 0
    for f in findings:
        row = (f"| {ICON[f.severity]} {f.severity.value} | {f.code} {f.rule} | "
               f"{cell(_cut(_what(f)))} | {_location(f, options)} | {cell(_cut(f.message))} |")
        if used + len(row) + 1 > budget:
            break
        rows.append(row)
        used += len(row) + 1
        shown += 1
    body = "\n".join(rows) + "\n"
    fixes = [f for f in findings[:shown] if f.fix]
    fix_blocks: list[str] = []
    fixes_shown = 0
    if fixes:
        opening = f"\n<details><summary>Fixes ({len(fixes)})</summary>\n\n"
        closing = "</details>\n"
        used += len(opening) + len(closing)
        for f in fixes:
            block = _fix_block(f, options) + "\n"
            if used + len(block) > budget:
                break
            fix_blocks.append(block)
            used += len(block)
            fixes_shown += 1
        if fix_blocks:
            body += opening + "".join(fix_blocks) + closing
    left_out = len(findings) - shown
    fixes_left = len(fixes) - fixes_shown
    if left_out or fixes_left:
        body += (f"\n> **Truncated** to fit a comment: {left_out} more finding(s) and "
                 f"{fixes_left} more fix(es) are not shown. The full report is in the "
                 "`sarif` or `json` output of the same run.\n")
    return head + body
