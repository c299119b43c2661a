"""Parse a kaudit command line with the real CLI (typer's click command), without running it:
options, types and sub-commands are checked exactly as ``kaudit`` would check them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer

from kaudit.cli import app


def _rest(ctx: Any) -> list[str]:
    protected = getattr(ctx, "_protected_args", None) or getattr(ctx, "protected_args", [])
    return [*protected, *ctx.args]


def parse_cli(args: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """``(command name, parsed parameters)``; click's ``UsageError`` (or ``BadParameter``)
    for anything kaudit would refuse at parse time."""
    root = typer.main.get_command(app)
    group = type(root)
    ctx = root.make_context("kaudit", list(args))
    command: Any = root
    rest = _rest(ctx)
    while isinstance(command, group):
        name, command, rest = command.resolve_command(ctx, rest)
        ctx = command.make_context(name, rest, parent=ctx)
        rest = _rest(ctx)
    return command.name, dict(ctx.params)
