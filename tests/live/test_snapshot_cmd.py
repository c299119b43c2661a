"""``kaudit snapshot`` then ``kaudit scan FILE`` gives the findings of the live scan."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.snapshot import digest
from tests.live.apiserver import Fault
from tests.live.cluster import CREDENTIAL_VALUE, PLAIN_SECRET_VALUE
from tests.live.conftest import Live


def without_sources(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Findings minus where each was read from (a live resource vs. the snapshot file)."""
    return [{k: v for k, v in f.items() if k != "source"} for f in report["findings"]]


NOW = "2025-01-01T00:00:00Z"


def _captured_at(path: Path) -> str:
    data = path.read_bytes()
    return str(json.loads(gzip.decompress(data) if path.name.endswith(".gz") else data)[
        "capturedAt"])


def snapshot(live: Live, out: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["snapshot", "--context", live.context, "-o", str(out),
                                    "--timeout", "5", *args], catch_exceptions=False)


@pytest.mark.parametrize("name", ["cluster.json", "cluster.json.gz"])
def test_snapshot_then_scan_equals_live_scan(live: Live, tmp_path: Path, name: str) -> None:
    live.server.add_fault(Fault("/api/v1/configmaps", 403, times=-1))
    out = tmp_path / name
    result = snapshot(live, out, "--page-size", "2")
    assert result.exit_code == 0, result.output
    assert "not read: configmaps: forbidden" in result.stderr

    # Ages are measured from the capture time the snapshot carries.
    default = CliRunner().invoke(app, ["scan", str(out), "--format", "json"])
    assert json.loads(default.stdout)["now"] == _captured_at(out)
    # Same findings as the live scan (both pinned to one `now`, as the two reads are seconds
    # apart and ages appear in messages).
    saved = CliRunner().invoke(app, ["scan", str(out), "--format", "json", "--now", NOW])
    offline = json.loads(saved.stdout)
    online = live.report("--now", NOW)
    assert saved.exit_code == 1
    assert without_sources(offline) == without_sources(online)
    assert offline["coverage"] == online["coverage"]
    assert {"FN001", "ST004", "KA002"} <= {f["code"] for f in offline["findings"]}


def test_snapshot_file_is_redacted_and_lean(live: Live, tmp_path: Path) -> None:
    out = tmp_path / "cluster.json.gz"
    assert snapshot(live, out).exit_code == 0
    text = gzip.decompress(out.read_bytes()).decode()
    for value in (PLAIN_SECRET_VALUE, CREDENTIAL_VALUE, "hunter2", "supersecret-key"):
        assert value not in text
    doc = json.loads(text)
    assert doc["kind"] == "KauditSnapshot"
    assert doc["source"] == {"context": "loopback", "server": live.server.url}
    assert doc["capturedAt"].endswith("Z")
    assert doc["coverage"]["gaps"] == [{"resource": "metrics.k8s.io/v1beta1",
                                        "reason": "discovery failed",
                                        "detail": "HTTP 503: service unavailable"}]
    assert "example.org/Widget" in doc["coverage"]["read"]
    secrets = {i["metadata"]["name"]: i for i in doc["items"] if i["kind"] == "Secret"}
    assert "data" not in secrets["db-password"]  # listed as metadata only
    assert digest.key_id(secrets["alice-key"]["data"]["key"]) == doc["digests"]["key"]
    # managedFields only as far as rules read them (see test_snapshot_managed_fields.py).
    assert all(set(e) <= {"manager", "operation", "time", "subresource", "apiVersion",
                          "fieldsType", "fieldsV1"}
               for i in doc["items"] for e in i["metadata"].get("managedFields", []))


def test_keep_managed_fields(live: Live, tmp_path: Path) -> None:
    out = tmp_path / "cluster.json"
    assert snapshot(live, out, "--keep-managed-fields").exit_code == 0
    items = json.loads(out.read_text())["items"]
    assert all(i["metadata"]["managedFields"] for i in items)


def test_snapshot_needs_a_json_name_and_a_cluster(live: Live, tmp_path: Path) -> None:
    bad = snapshot(live, tmp_path / "cluster.yaml")
    assert bad.exit_code == 2
    assert ".json or .json.gz" in bad.stderr
    live.server.stop()
    down = snapshot(live, tmp_path / "cluster.json")
    assert down.exit_code == 2
    assert "connection failed" in down.stderr
    assert not (tmp_path / "cluster.json").exists()
