"""Pieces every command shares: option parsing, errors, output."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from kaudit.cli import exitcodes
from kaudit.timeutil import parse_time

stderr = Console(stderr=True, highlight=False)


class UsageError(Exception):
    """Exit 2 with a one-line reason."""


def fail(message: str, code: int = exitcodes.USAGE) -> typer.Exit:
    # The message is data (paths, config keys like ``[rules.x]``), never markup.
    stderr.print(f"[bold red]kaudit:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


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
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        output.write_text(text)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
