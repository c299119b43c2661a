"""``-o github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=F,line=N,title=CODE name::message``. Values are escaped as the runner
unescapes them (``%``, CR and LF everywhere; ``:`` and ``,`` in properties too), or a message
with a newline or a path with a comma would end the command early. The Markdown summary for
``$GITHUB_STEP_SUMMARY`` is the ``markdown`` format, appended by the command line.
"""

from __future__ import annotations

from kaudit.model import Finding, Severity
from kaudit.report.locations import details, display_path, is_file, repo_path
from kaudit.report.model import Report
from kaudit.report.options import FormatOptions

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _message(finding: Finding, options: FormatOptions) -> str:
    head = f"{finding.object.short}: {finding.message}" if finding.object else finding.message
    return "\n".join([head, *details(finding, options.cwd)])


def annotation(finding: Finding, options: FormatOptions) -> str:
    props: list[tuple[str, str]] = []
    if finding.source is not None and is_file(finding.source.file):
        # GitHub reads ``file`` from the repository root, whatever folder the scan ran in.
        path = repo_path(finding.source.file, options.cwd)
        props.append(("file", path or display_path(finding.source.file, options.cwd)))
        if finding.source.line is not None:
            props.append(("line", str(finding.source.line)))
    props.append(("title", f"{finding.code} {finding.rule}"))
    rendered = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMAND[finding.severity]} {rendered}::{escape_data(_message(finding, options))}"


def render_github(report: Report, options: FormatOptions) -> str:
    findings = sorted(report.findings, key=lambda f: (-f.severity.rank, f.sort_key()))
    return "".join(annotation(f, options) + "\n" for f in findings)
