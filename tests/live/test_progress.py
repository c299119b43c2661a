"""The progress bar counts types and objects from every worker thread."""

from __future__ import annotations

import io

from rich.console import Console

from kaudit.live.progress import ScanProgress


def test_progress_counts_types_and_objects() -> None:
    out = io.StringIO()
    progress = ScanProgress(enabled=True, console=Console(file=out, force_terminal=True,
                                                          width=100))
    with progress:
        progress.types_total(2)
        progress.objects(500)
        progress.type_done()
        progress.objects(20)
        progress.type_done()
        assert progress.snapshot() == (2, 2, 520)
    assert "reading cluster" in out.getvalue()


def test_disabled_progress_prints_nothing() -> None:
    out = io.StringIO()
    with ScanProgress(enabled=False, console=Console(file=out)) as progress:
        progress.types_total(1)
        progress.objects(5)
        progress.type_done()
    assert out.getvalue() == ""
