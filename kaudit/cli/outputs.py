"""``-o FORMAT`` and ``-o FORMAT=FILE``, as kubectl's ``-o`` names the format: one scan,
several reports (the table for the log, SARIF for upload, JUnit for the test report).

A value that looks like a file where a format is expected (the old ``-o report.json``) is a
usage error that says what to write instead, never a table silently written to a file named
``json``.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kaudit.cli import writer
from kaudit.cli.common import UsageError
from kaudit.report import FORMATTERS, FormatOptions, Report

DEFAULT_FORMAT = "table"
MACHINE_READABLE = frozenset(FORMATTERS) - {"table"}
# What a file name suggests, for the hint after ``-o report.sarif``.
_BY_SUFFIX = {".json": "json", ".sarif": "sarif", ".xml": "junit", ".md": "markdown",
              ".markdown": "markdown", ".txt": "table", ".log": "table"}


@dataclass(frozen=True)
class Output:
    format: str
    path: Path | None
    """``None``: stdout."""


def _looks_like_path(value: str) -> bool:
    return (os.sep in value or "/" in value or "." in value or value.startswith("~")
            or Path(value).exists())


def _suggest(value: str) -> str:
    suffix = Path(value).suffix.lower()
    if value.lower().endswith(".sarif.json"):
        suffix = ".sarif"
    return _BY_SUFFIX.get(suffix, "json")


def parse_outputs(values: Sequence[str] | None) -> list[Output]:
    """The outputs asked for, in order; the table on stdout when none."""
    choices = ", ".join(FORMATTERS)
    outputs: list[Output] = []
    for raw in values or [DEFAULT_FORMAT]:
        name, sep, target = raw.partition("=")
        fmt = name.strip().lower()
        if fmt not in FORMATTERS:
            # ``-o report.json``, or a file whose name holds a '=' (``-o out/a=b.json``).
            if _looks_like_path(name if sep else raw):
                raise UsageError(
                    f"-o {raw!r}: -o names the format ({choices}), not a file; to write a "
                    f"file give both: -o {_suggest(raw)}={raw}")
            raise UsageError(f"-o {name!r}: unknown format; choose from {choices} "
                             "(and FORMAT=FILE to write it to a file)")
        if sep and not target:
            raise UsageError(f"-o {raw!r}: no file after '='; write -o {fmt}=FILE, or "
                             f"-o {fmt} for stdout")
        path = None if not sep or target == "-" else Path(target)
        outputs.append(Output(fmt, path))
    on_stdout = [o.format for o in outputs if o.path is None]
    if len(on_stdout) > 1:
        raise UsageError(f"only one format can go to stdout, got {', '.join(on_stdout)}; "
                         f"write the others to files, e.g. -o {on_stdout[1]}=FILE")
    seen: set[Path] = set()
    for o in outputs:
        if o.path is not None:
            key = Path(os.path.realpath(o.path))  # one file, however spelled or linked
            if key in seen:
                raise UsageError(f"{o.path} is named by two -o options")
            seen.add(key)
    return outputs


def colour_wanted(is_terminal: bool) -> bool:
    """``NO_COLOR`` (any non-empty value) wins, then ``FORCE_COLOR`` (any non-empty value,
    as force-color.org says), then ``TERM=dumb``; else colour only on a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return is_terminal


def stdout_machine_readable(outputs: Sequence[Output]) -> bool:
    return any(o.path is None and o.format in MACHINE_READABLE for o in outputs)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _options(output: Output, link_base: str | None) -> FormatOptions:
    if output.path is not None:
        return FormatOptions(link_base=link_base)
    terminal = stdout_is_terminal()
    colour = output.format == "table" and colour_wanted(terminal)
    width = shutil.get_terminal_size((120, 40)).columns if terminal else 120
    return FormatOptions(color=colour, width=width, terminal=terminal, link_base=link_base)


def github_link_base() -> str | None:
    """The blob URL of the commit being checked, inside GitHub Actions; links in Markdown then
    open the file at the line from a PR comment or a job summary."""
    server, repo, sha = (os.environ.get(k) for k in
                         ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if server and repo and sha:
        return f"{server.rstrip('/')}/{repo}/blob/{sha}"
    return None


def write_file(path: Path, text: str) -> None:
    """Write one report file; a folder that does not exist or a full disk is a usage error
    (exit 2) naming the file, never a traceback. Written beside the target and renamed
    (``kaudit.cli.writer``), so a failed write never leaves half a report that a later step
    would upload; the rename goes to the file a symlink points at (the link stays a link),
    and a device or FIFO (``-o sarif=/dev/stdout``) is written into: renaming over it would
    replace ``/dev/stdout`` with a regular file for everyone when kaudit runs as root."""
    try:
        writer.write_file(path, text)
    except writer.OutputError as exc:
        raise UsageError(str(exc)) from None


def append_file(path: Path, text: str) -> None:
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(f"cannot append to {path}: {exc.strerror or exc}") from None


def write_outputs(report: Report, outputs: Sequence[Output],
                  write_stdout: Callable[[str], None]) -> None:
    """Render each output once from the one report; files first, so that a report file that
    cannot be written fails the run before anything is printed."""
    link_base = github_link_base()
    for output in sorted(outputs, key=lambda o: o.path is None):
        text = FORMATTERS[output.format](report, _options(output, link_base))
        if output.path is None:
            write_stdout(text)
        else:
            write_file(output.path, text)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary and any(o.format == "github" for o in outputs):
        append_file(Path(summary), FORMATTERS["markdown"](report,
                                                         FormatOptions(link_base=link_base)))
