"""The byte-identity guard itself works: a revision exported with ``git archive`` runs and
reports, the same code reports the same bytes twice, and a changed report is named. (Not the
working tree against HEAD: a change in progress may rightly change reports.)"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bench import identical
from tests.conftest import FIXTURES


def test_reports_of_an_exported_revision_compare(tmp_path: Path) -> None:
    if shutil.which("git") is None or subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=identical.ROOT, capture_output=True).returncode:
        pytest.skip("not a git checkout")
    inputs = [("scenario/kopf", FIXTURES / "scenarios" / "kopf-stale-handler")]
    base = identical.export_revision("HEAD", tmp_path)
    identical.run_reports(inputs, tmp_path / "base", base)
    identical.run_reports(inputs, tmp_path / "head", base)
    assert identical.compare(inputs, tmp_path / "base", tmp_path / "head") == []
    report = tmp_path / "head" / (inputs[0][0].replace("/", "__") + ".json")
    assert b'"findings"' in report.read_bytes()
    report.write_bytes(report.read_bytes().replace(b'"findings"', b'"Findings"'))
    assert identical.compare(inputs, tmp_path / "base", tmp_path / "head") == [inputs[0][0]]
