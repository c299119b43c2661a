"""``kaudit watch`` as a process: served on --listen, JSON lines on stderr, SIGTERM ends it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from tests.live.conftest import Live
from tests.live.watchstream import WatchHub


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return int(answer.status)
    except (urllib.error.URLError, OSError) as exc:
        return getattr(exc, "code", 0) or 0


def start_watch(live: Live, cwd: Path | None = None) -> tuple[subprocess.Popen[bytes], int]:
    """``kaudit watch`` as a process, once it is ready; and its --listen port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kaudit", "watch", "--context", live.context,
         "--listen", f"127.0.0.1:{port}", "--timeout", "5", "--select", "FN001"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
        env={**os.environ, "KUBECONFIG": str(live.kubeconfig)})
    deadline = time.monotonic() + 60
    while get(f"http://127.0.0.1:{port}/readyz") != 200:
        if process.poll() is not None:
            raise AssertionError(process.communicate())
        if time.monotonic() >= deadline:
            process.kill()
            raise AssertionError("never ready")
        time.sleep(0.1)
    return process, port


def test_sigterm_ends_a_running_watch_cleanly(live: Live) -> None:
    WatchHub(live.server)
    process, _ = start_watch(live)
    try:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    lines = err.decode().splitlines()
    assert lines[-1] == "kaudit watch: stopped"
    findings = [json.loads(line) for line in lines[:-1]]
    assert [(f["event"], f["code"]) for f in findings] == [("finding appeared", "FN001")]
    assert {r.method for r in live.server.requests} == {"GET"}


def test_a_bad_listen_address_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["watch", "--listen", "nowhere"])
    assert result.exit_code == 2
    assert "HOST:PORT" in result.output


def test_an_unreachable_cluster_exits_2(live: Live) -> None:
    live.server.stop()
    result = CliRunner().invoke(app, ["watch", "--context", live.context, "--listen",
                                      f"127.0.0.1:{free_port()}", "--timeout", "2"])
    assert result.exit_code == 2
    assert "cannot read the cluster" in result.output


def test_a_listen_address_in_use_is_a_usage_error(live: Live) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["watch", "--context", live.context, "--listen",
                                          f"127.0.0.1:{port}", "--timeout", "2"])
    assert result.exit_code == 2
    assert f"--listen 127.0.0.1:{port}" in result.output


def test_findings_name_the_config_as_scan_does(live: Live, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    WatchHub(live.server)
    (tmp_path / ".kaudit.toml").write_text('[rules.stuck-deletion]\ngrace = "1h"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KUBECONFIG", str(live.kubeconfig))
    scanned = json.loads(CliRunner().invoke(
        app, ["scan", "--context", live.context, "--format", "json"]).stdout)
    assert scanned["config"]["discovered"] is True
    process, port = start_watch(live, cwd=tmp_path)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/findings", timeout=5) as answer:
            watched = json.loads(answer.read())
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    assert watched["config"] == scanned["config"]
