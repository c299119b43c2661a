"""Lint and layering are part of the test command, so CI and a developer run the same checks."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_is_clean() -> None:
    result = run(sys.executable, "-m", "ruff", "check", "kaudit", "rules", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_layers_hold() -> None:
    """Data flows one way (DESIGN.md §1); only the live source imports the kubernetes client."""
    lint_imports = shutil.which("lint-imports")
    if lint_imports is None:
        pytest.fail("lint-imports is missing: install the test extra (pip install -e '.[test]')")
    result = run(lint_imports)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
