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


def test_sigterm_ends_a_running_watch_cleanly(live: Live) -> None:
    WatchHub(live.server)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kaudit", "watch", "--context", live.context,
         "--listen", f"127.0.0.1:{port}", "--timeout", "5", "--select", "FN001"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "KUBECONFIG": str(live.kubeconfig)})
    try:
        deadline = time.monotonic() + 60
        while get(f"http://127.0.0.1:{port}/readyz") != 200:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "never ready"
            time.sleep(0.1)
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
