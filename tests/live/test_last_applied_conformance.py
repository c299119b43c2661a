"""ST005's prediction of client-side apply is byte-exact: kubectl itself (``create
--save-config --dry-run=client``, the same ``GetModifiedConfiguration`` as ``apply``) writes
an annotation of exactly the size kaudit predicts. Skipped where kubectl is not installed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from kaudit.snapshot import KubeObject
from kaudit_rules.status.object_size_limit import LAST_APPLIED, predicted_last_applied
from tests.live.conftest import TOKEN, StartLive

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")

CASES: list[dict[str, Any]] = [
    {"apiVersion": "example.org/v1", "kind": "Widget",
     "metadata": {"name": "plain", "namespace": "shop"}, "spec": {"size": 3}},
    {"apiVersion": "example.org/v1", "kind": "Widget",
     "metadata": {"name": "escaped", "namespace": "shop",
                  "annotations": {"note": "a <b> & c", "team": "é"}},
     "spec": {"html": "<p>&amp;</p>", "separators": "x\u2028y\u2029z", "text": "ünïcode"}},
    {"apiVersion": "example.org/v1", "kind": "Widget",
     "metadata": {"name": "reapplied", "namespace": "shop",
                  "annotations": {LAST_APPLIED: '{"old": true}\n'}},
     "spec": {"list": [1, 2.5, True, None, "s"]}},
]


@pytest.mark.parametrize("doc", CASES, ids=[c["metadata"]["name"] for c in CASES])
def test_prediction_matches_kubectl(doc: dict[str, Any], start_live: StartLive,
                                    tmp_path: Path) -> None:
    assert KUBECTL is not None
    live = start_live(tls=True, token=TOKEN, aggregated_down=False)
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(yaml.safe_dump(doc, allow_unicode=True))
    result = subprocess.run(
        [KUBECTL, "--kubeconfig", str(live.kubeconfig), "--cache-dir", str(tmp_path / "cache"),
         "--request-timeout", "10s", "create", "--save-config", "--dry-run=client",
         "--validate=false", "-f", str(manifest), "-o", "json"],
        capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    written = json.loads(result.stdout)["metadata"]["annotations"][LAST_APPLIED]
    assert predicted_last_applied(KubeObject(doc)) == len(LAST_APPLIED) + len(written.encode())
