"""A progress bar on stderr while files are read: files read of the total, and objects.

Reading a big corpus of YAML takes seconds; a blank screen looks like a hang. Like the live
read's bar it appears only when stderr is a terminal (and never in CI), so logs stay clean.
"""

from __future__ import annotations

import sys
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

MIN_FILES = 2
"""One file needs no bar."""


class FileProgress:
    def __init__(self, enabled: bool | None = None, console: Console | None = None) -> None:
        self._enabled = sys.stderr.isatty() if enabled is None else enabled
        self._console = console
        self._progress: Progress | None = None
        self._task = None
        self.updates = 0

    def __enter__(self) -> FileProgress:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, done: int, total: int, objects: int) -> None:
        """Called by the loader after each file."""
        self.updates += 1
        if not self._enabled or total < MIN_FILES:
            return
        if self._progress is None:
            self._progress = Progress(
                TextColumn("[bold]reading files[/]"), BarColumn(), MofNCompleteColumn(),
                TextColumn("files, {task.fields[objects]} objects"), TimeElapsedColumn(),
                console=self._console or Console(stderr=True), transient=True)
            self._progress.start()
            self._task = self._progress.add_task("files", total=total, objects=0)
        if self._task is not None:
            self._progress.update(self._task, completed=done, objects=objects)
