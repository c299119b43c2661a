"""Live output that cannot be turned against the reader (issue 9 §5): snapshots are written
atomically, text from the server is printed as inert data, and a broken kubeconfig is named by
file and line without quoting it."""

from __future__ import annotations

import errno
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from tests.live.apiserver import Fault
from tests.live.conftest import TOKEN, Live, StartLive

ESC = "\x1b"


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def snapshot(live: Live, out: Path) -> Any:
    return invoke("snapshot", "--context", live.context, "-o", str(out), "--timeout", "5")


def test_a_failed_snapshot_write_keeps_the_previous_snapshot(
        live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "prod.json.gz"
    assert snapshot(live, out).exit_code == 0
    good = out.read_bytes()
    assert json.loads(gzip.decompress(good))["kind"] == "KauditSnapshot"

    def disk_full(document: dict[str, Any], path: Path) -> None:
        path.write_bytes(b"\x1f\x8b half a snapsh")  # what a full disk leaves behind
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("kaudit.cli.snapshot_cmd.write_snapshot", disk_full)
    result = snapshot(live, out)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"kaudit: cannot write {out}: No space left on device"]
    assert out.read_bytes() == good  # the previous snapshot, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kubeconfig", "prod.json.gz"]


def test_a_snapshot_into_a_missing_folder_is_a_usage_error(live: Live, tmp_path: Path) -> None:
    out = tmp_path / "gone" / "prod.json"
    result = snapshot(live, out)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "No such file or directory" in result.stderr


def test_markup_in_the_snapshot_path_is_printed_as_text(live: Live, tmp_path: Path) -> None:
    folder = tmp_path / "a[" / "]b"
    folder.mkdir(parents=True)
    out = folder / "prod.json"
    result = snapshot(live, out)
    assert result.exit_code == 0, result.output
    assert f"to {out}" in result.stderr.replace("\n", "")
    assert json.loads(out.read_text())["kind"] == "KauditSnapshot"


def test_server_text_in_coverage_gaps_is_inert(live: Live) -> None:
    # The message of a refusal is the server's text: markup and escape sequences in it are
    # shown as data on stderr by explain, graph and snapshot.
    live.server.add_fault(Fault("/api/v1/secrets", 403, times=-1,
                                message=f"[/] {ESC}]0;owned\x07{ESC}[2J forbidden"))
    for args in (["explain", "widget/stuck", "-n", "shop"], ["graph"]):
        result = invoke(*args, "--context", live.context, "--timeout", "5")
        assert result.exit_code == 0, result.output
        assert ESC not in result.stderr and "\x07" not in result.stderr
        assert "not read: secrets: forbidden" in result.stderr
        assert "[/] \\x1b]0;owned\\x07\\x1b[2J forbidden" in result.stderr


def test_a_broken_kubeconfig_names_file_and_line_and_never_the_token(
        start_live: StartLive, tmp_path: Path) -> None:
    live = start_live(token=TOKEN)
    broken = tmp_path / "broken"
    text = live.kubeconfig.read_text().replace(f"token: {TOKEN}", f"token: {TOKEN}: oops")
    assert text != live.kubeconfig.read_text()
    broken.write_text(text)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if TOKEN in ln)
    result = live.scan("--kubeconfig", str(broken))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"kaudit: kubeconfig {broken}, line {line}, column "
        f"{text.splitlines()[line - 1].index(': oops') + 1}: not valid YAML (mapping values "
        "are not allowed here)"]
    assert TOKEN not in result.stderr


def test_a_tag_in_a_kubeconfig_is_not_quoted(start_live: StartLive, tmp_path: Path) -> None:
    live = start_live(token=TOKEN)
    broken = tmp_path / "tagged"
    broken.write_text(live.kubeconfig.read_text().replace(f"token: {TOKEN}",
                                                          f"token: !{TOKEN} x"))
    result = live.scan("--kubeconfig", str(broken))
    assert result.exit_code == 2
    assert f"kubeconfig {broken}, line " in result.stderr
    assert TOKEN not in result.stderr
