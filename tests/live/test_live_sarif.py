"""SARIF from a live scan, as GitHub code scanning ingests it: objects read from a cluster
come from no file, yet every result needs an artifact location or GitHub refuses the whole
upload; they are located by their logical path under ``%KUBERNETES%``."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from tests.conftest import FIXTURES
from tests.live.conftest import Live
from tests.report.test_sarif_github import check_github_ingestion


def test_a_live_scan_gives_sarif_github_ingests(live: Live, tmp_path: Path) -> None:
    out = tmp_path / "live.sarif"
    result = live.scan("-o", f"sarif={out}")
    assert result.exit_code in (0, 1), result.output
    log = json.loads(out.read_text())
    schema = json.loads((FIXTURES / "schemas/sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    check_github_ingestion(log)
    results = log["runs"][0]["results"]
    assert results
    for r in results:
        artifact = r["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%KUBERNETES%"
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any("metrics.k8s.io" in n["message"]["text"] for n in notes), "the gap is reported"
