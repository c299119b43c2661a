"""How a formatter should render for where its output goes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FormatOptions:
    color: bool = False
    width: int = 120
