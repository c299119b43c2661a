"""Where ``-o FORMAT=FILE`` writes, as CI jobs name it: ``/dev/stdout`` or a FIFO (written
into, never renamed over: as root that would replace the device with a regular file), a
symlink (the file it points at is written, the link stays), a path with ``=`` in it, the same
file named twice, ``-`` for stdout, relative paths."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from tests.conftest import FIXTURES

STUCK = str(FIXTURES / "inputs/stuck.yaml")
NOW = ["--now", "2024-06-01T12:00:00Z"]


def scan(*args: str):
    return CliRunner().invoke(app, ["scan", STUCK, *NOW, *args])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_written_into_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    link = tmp_path / "stdout"  # like /dev/stdout -> /proc/self/fd/1
    link.symlink_to(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    result = scan("-o", f"json={link}", "-o", "table")
    reader.join(timeout=30)
    assert result.exit_code == 1, result.stderr
    assert json.loads(received[0])["summary"]["error"] == 1
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and link.is_symlink()
    assert not list(tmp_path.glob(".*kaudit-tmp"))


def test_a_symlinked_report_file_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "reports" / "kaudit.sarif"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "latest.sarif"
    link.symlink_to(real)
    assert scan("-o", f"sarif={link}").exit_code == 1
    assert link.is_symlink() and json.loads(real.read_text())["version"] == "2.1.0"


def test_paths_with_equals_signs_relative_paths_and_dash(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    result = scan("-o", "json=out/run=1.json", "-o", "junit=-")
    assert result.exit_code == 1, result.stderr
    assert json.loads((tmp_path / "out/run=1.json").read_text())["version"] == 1
    assert result.stdout.startswith("<?xml")


def test_a_path_with_an_equals_sign_where_a_format_belongs_says_what_to_write() -> None:
    result = scan("-o", "out/run=1.json")
    assert result.exit_code == 2
    assert "-o json=out/run=1.json" in " ".join(result.stderr.split())


def test_the_same_file_twice_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = scan("-o", "json=r.json", "-o", f"sarif={tmp_path}/./r.json")
    assert result.exit_code == 2 and "named by two -o options" in result.stderr
    assert not (tmp_path / "r.json").exists()
