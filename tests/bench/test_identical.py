"""The byte-identity guard itself works: the committed tree and the working tree report the
same bytes for the same input, and a changed report is named."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bench import identical
from tests.conftest import FIXTURES


def test_reports_of_head_and_working_tree_compare(tmp_path: Path) -> None:
    if shutil.which("git") is None or subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=identical.ROOT, capture_output=True).returncode:
        pytest.skip("not a git checkout")
    inputs = [("scenario/kopf", FIXTURES / "scenarios" / "kopf-stale-handler")]
    base = identical.export_revision("HEAD", tmp_path)
    identical.run_reports(inputs, tmp_path / "base", base)
    identical.run_reports(inputs, tmp_path / "head", None)
    assert identical.compare(inputs, tmp_path / "base", tmp_path / "head") == []
    report = tmp_path / "head" / (inputs[0][0].replace("/", "__") + ".json")
    assert b'"findings"' in report.read_bytes()
    report.write_bytes(report.read_bytes().replace(b'"findings"', b'"Findings"'))
    assert identical.compare(inputs, tmp_path / "base", tmp_path / "head") == [inputs[0][0]]
