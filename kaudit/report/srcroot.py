"""Where SARIF's ``%SRCROOT%`` is: the git work tree kaudit runs in, else the working directory.

GitHub code scanning reads a relative artifact URI as relative to the repository root. Written
relative to the working directory, a scan run from a subfolder (``cd deploy && kaudit scan .``)
would point every alert at a file that does not exist, or at the wrong one. The work tree is
found by walking up to the first folder holding ``.git`` -- a folder in a clone, a file in a
worktree or submodule -- without running ``git``: no subprocess, nothing read from the
repository, the same answer for the same checkout.
"""

from __future__ import annotations

import os
from pathlib import Path


def work_tree(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``.git``, or ``None``."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def source_root(cwd: str | None) -> Path:
    """The folder relative artifact URIs resolve against: the git work tree holding ``cwd``
    (the working directory when ``None``), else ``cwd`` itself."""
    base = Path(cwd or os.getcwd()).resolve()
    return work_tree(base) or base
