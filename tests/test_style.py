"""Lint and layering are part of the test command, so CI and a developer run the same checks."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_is_clean() -> None:
    result = run(sys.executable, "-m", "ruff", "check", "kaudit", "rules", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_layers_hold() -> None:
    """Data flows one way (DESIGN.md §1); only the live source imports the kubernetes client."""
    # Through this interpreter, so the checkout under test is what gets analysed.
    result = run(sys.executable, "-c",
                 "from importlinter.cli import lint_imports_command; lint_imports_command()")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
