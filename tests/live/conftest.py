"""Fixtures: a loopback API server and a real kubeconfig pointing at it."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from kaudit.cli import app
from tests.live import discovery_routes
from tests.live.apiserver import Cluster, Fault, LoopbackAPIServer
from tests.live.cluster import build_cluster

CONTEXT = "loopback"
TOKEN = "test-token-not-a-secret"
AGGREGATED_DISCOVERY = "/apis/metrics.k8s.io/v1beta1"


@dataclass
class Live:
    server: LoopbackAPIServer
    kubeconfig: Path
    context: str = CONTEXT

    def scan(self, *args: str) -> Any:
        """``kaudit scan --context loopback --format json ARGS`` through the CLI."""
        result = CliRunner().invoke(
            app, ["scan", "--context", self.context, "--format", "json", "--timeout", "5",
                  *args], catch_exceptions=False)
        return result

    def report(self, *args: str) -> dict[str, Any]:
        result = self.scan(*args)
        assert result.exit_code in (0, 1), result.output
        return json.loads(result.stdout)


def write_kubeconfig(path: Path, server: str, *, context: str = CONTEXT,
                     token: str | None = None, ca_file: Path | None = None,
                     user: dict[str, Any] | None = None) -> Path:
    cluster: dict[str, Any] = {"server": server}
    if ca_file is not None:
        cluster["certificate-authority"] = str(ca_file)
    if user is None:
        user = {"token": token} if token else {}
    doc = {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": f"{context}-cluster", "cluster": cluster}],
        "users": [{"name": f"{context}-user", "user": user}],
        "contexts": [{"name": context, "context": {"cluster": f"{context}-cluster",
                                                  "user": f"{context}-user"}}],
        "current-context": context,
    }
    path.write_text(yaml.safe_dump(doc))
    return path


def self_signed_cert(folder: Path, name: str = "server") -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, made at test time (nothing secret is checked in)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not on PATH")
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "1", "-subj", f"/CN={name}",
         "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30)
    return cert, key


StartLive = Callable[..., Live]


@pytest.fixture
def start_live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StartLive]:
    """Start a loopback API server (HTTP, or TLS with a bearer token) and point KUBECONFIG
    at a kubeconfig for it. The aggregated metrics API answers 503 unless told otherwise;
    ``/api`` and ``/apis`` answer aggregated discovery when asked for it, unless
    ``aggregated_discovery=False`` (an older server)."""
    started: list[LoopbackAPIServer] = []

    def start(cluster: Cluster | None = None, *, tls: bool = False,
              token: str | None = None, aggregated_down: bool = True,
              client_cert: bool = False, user: dict[str, Any] | None = None,
              aggregated_discovery: bool = True) -> Live:
        tls_files = self_signed_cert(tmp_path) if tls or client_cert else None
        client = self_signed_cert(tmp_path, "auditor") if client_cert else None
        if client is not None:
            user = {"client-certificate": str(client[0]), "client-key": str(client[1])}
        server = LoopbackAPIServer(cluster or build_cluster(), token=token, tls=tls_files,
                                   client_ca=str(client[0]) if client else None)
        if aggregated_down:
            server.add_fault(Fault(AGGREGATED_DISCOVERY, 503, times=-1,
                                   message="service unavailable"))
        if aggregated_discovery:  # as a 1.30+ server: apidiscovery.k8s.io/v2 on request
            server.routes.append(discovery_routes.aggregated_discovery(server.cluster))
        server.start()
        started.append(server)
        kubeconfig = write_kubeconfig(
            tmp_path / "kubeconfig", server.url, token=token,
            ca_file=tls_files[0] if tls_files else None, user=user)
        monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
        return Live(server, kubeconfig)

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def live(start_live: StartLive) -> Live:
    return start_live()
