"""How a formatter should render for where its output goes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FormatOptions:
    color: bool = False
    width: int = 120
    terminal: bool = False
    """A person reads it in a terminal: group and summarise. Otherwise (a CI log, a pipe, a
    file) one finding per line, as compilers print, for tools and editors to parse."""
    cwd: str | None = None
    """Paths are written relative to this folder (SARIF URIs, GitHub annotations, Markdown
    links); ``None`` is the current working directory."""
    link_base: str | None = None
    """Markdown links to files start with this URL (e.g. the commit's blob URL on GitHub);
    ``None`` writes links relative to the repository."""
