"""Pieces every command shares: option parsing, errors, output."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.text import Text

from kaudit.cli import exitcodes
from kaudit.cli.writer import OutputError, write_file, write_stdout
from kaudit.textsafe import safe_text
from kaudit.timeutil import parse_time

stderr = Console(stderr=True, highlight=False)


class UsageError(Exception):
    """Exit 2 with a one-line reason."""


def fail(message: str, code: int = exitcodes.USAGE) -> typer.Exit:
    """Print ``kaudit: MESSAGE`` on one line of stderr and return the exit to raise.

    Messages quote paths, object names and server answers: they are printed as plain text
    (``[/]`` in a file name is not rich markup) with control characters escaped."""
    line = Text("kaudit:", style="bold red")
    line.append(" " + safe_text(message))
    stderr.print(line, soft_wrap=True)
    return typer.Exit(code)


def notice(message: str, style: str = "yellow") -> None:
    """One line of stderr for the user, untrusted text inside shown as data."""
    stderr.print(Text(safe_text(message), style=style), soft_wrap=True)


def split_codes(values: list[str] | None) -> tuple[str, ...]:
    """``--select FN,ST004 --select UQ`` -> ``("FN", "ST004", "UQ")``."""
    out: list[str] = []
    for value in values or []:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return tuple(out)


def parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError:
        raise UsageError(f"--now {value!r} is not an RFC 3339 time "
                         "(e.g. 2024-02-21T15:00:00Z)") from None


def write_output(text: str, output: Path | None) -> None:
    """``text`` to stdout, or atomically to ``output``; a failure is a one-line exit 2."""
    try:
        if output is None:
            write_stdout(text)
        else:
            write_file(output, text)
    except OutputError as exc:
        raise fail(str(exc)) from None


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
