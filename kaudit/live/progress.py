"""A progress bar on stderr while a big cluster is listed, and nothing at all otherwise.

It appears only when stderr is a terminal, so CI logs and ``--format json > file`` stay clean.
"""

from __future__ import annotations

import sys
import threading
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class ScanProgress:
    def __init__(self, enabled: bool | None = None, console: Console | None = None) -> None:
        self._enabled = sys.stderr.isatty() if enabled is None else enabled
        self._console = console
        self._lock = threading.Lock()
        self._objects = 0
        self._done = 0
        self._total = 0
        self._progress: Progress | None = None
        self._task = None

    def __enter__(self) -> ScanProgress:
        if self._enabled:
            self._progress = Progress(
                TextColumn("[bold]reading cluster[/]"), BarColumn(), MofNCompleteColumn(),
                TextColumn("types, {task.fields[objects]} objects"), TimeElapsedColumn(),
                console=self._console or Console(stderr=True), transient=True)
            self._progress.start()
            self._task = self._progress.add_task("types", total=None, objects=0)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()

    def types_total(self, total: int) -> None:
        self._total = total
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, total=total)

    def objects(self, count: int) -> None:
        with self._lock:
            self._objects += count
            if self._progress is not None and self._task is not None:
                self._progress.update(self._task, objects=self._objects)

    def type_done(self) -> None:
        with self._lock:
            self._done += 1
            if self._progress is not None and self._task is not None:
                self._progress.advance(self._task)

    def snapshot(self) -> tuple[int, int, int]:
        """(types done, types total, objects so far)."""
        with self._lock:
            return self._done, self._total, self._objects
