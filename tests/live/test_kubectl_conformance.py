"""The loopback server speaks the real protocol: kubectl itself can read from it.

If kubectl can discover and list through it, what the live tests prove about kaudit holds
against a real API server too. Skipped where kubectl is not installed.
"""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from tests.live.conftest import TOKEN, StartLive

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")


def kubectl(kubeconfig: Path, cache: Path, *args: str) -> Any:
    assert KUBECTL is not None
    result = subprocess.run(
        [KUBECTL, "--kubeconfig", str(kubeconfig), "--cache-dir", str(cache),
         "--request-timeout", "10s", *args],
        capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def served(kubeconfig: Path, path: str) -> Any:
    """What the server answers, read without kubectl."""
    config = yaml.safe_load(kubeconfig.read_text())
    cluster = config["clusters"][0]["cluster"]
    context = ssl.create_default_context(cafile=cluster["certificate-authority"])
    request = urllib.request.Request(
        cluster["server"] + path,
        headers={"Authorization": f"Bearer {config['users'][0]['user']['token']}"})
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        return orjson.loads(response.read())


def test_kubectl_reads_discovery_and_lists(start_live: StartLive, tmp_path: Path) -> None:
    live = start_live(tls=True, token=TOKEN, aggregated_down=False)
    cache = tmp_path / "kube-cache"
    apis = kubectl(live.kubeconfig, cache, "get", "--raw", "/apis")
    assert apis == served(live.kubeconfig, "/apis")
    assert {g["name"] for g in apis["groups"]} == {
        "apps", "apiextensions.k8s.io", "example.org", "metrics.k8s.io"}

    widgets = kubectl(live.kubeconfig, cache, "get", "widgets", "-A", "-o", "json")
    expected = next(r for r in live.server.cluster.resources if r.plural == "widgets")
    assert [(w["metadata"]["namespace"], w["metadata"]["name"]) for w in widgets["items"]] == [
        (o["metadata"]["namespace"], o["metadata"]["name"]) for o in expected.objects]
    assert widgets["items"][1]["metadata"]["finalizers"] == ["example.org/cleanup"]

    pods = kubectl(live.kubeconfig, cache, "get", "pods", "-n", "shop", "--chunk-size", "2",
                   "-o", "json")
    assert len(pods["items"]) == 5
    assert {r.method for r in live.server.requests} == {"GET"}
    assert len([r for r in live.server.requests_to("/api/v1/namespaces/shop/pods")]) == 3
