"""``--help`` that reads well: a flag that takes no value shows no value type.

typer 0.2x prints a type for every option, so ``--demo`` appeared as ``--demo <bool>`` -- as
if it wanted ``--demo true``. Options that are flags (``is_flag``: ``--demo``, ``--debug``,
``-A``, ``--version``) now show none; every other option keeps typer's display. This is the one
place kaudit adjusts typer; ``tests/cli/test_help.py`` checks every command's help, so a typer
release that changes the hook is noticed.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperOption

_typer_display = TyperOption.display_type_rich


def _display_type_rich(self: TyperOption, ctx: Any) -> str | None:
    if self.is_flag and self.metavar is None:
        return None
    return _typer_display(self, ctx)


def install() -> None:
    """Called once by ``kaudit.cli`` before the app is built."""
    TyperOption.display_type_rich = _display_type_rich  # type: ignore[method-assign]
