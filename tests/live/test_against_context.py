"""``kaudit scan MANIFESTS --against-context CTX``: the manifests are checked against the CRDs
the loopback API server serves, read live with GETs only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from kaudit.cli import app
from tests.live.conftest import Live

# An upgrade of the live widgets.example.org CRD (which stores v1) that only lists v2.
UPGRADE = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.org
spec:
  group: example.org
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - {name: v2, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
"""
# A new CRD that claims the kind Widget in example.org, which the live CRD already serves.
RIVAL = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgetsv2.example.org
spec:
  group: example.org
  scope: Namespaced
  names: {plural: widgetsv2, singular: widgetv2, kind: Widget, listKind: WidgetList}
  versions:
  - {name: v2, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
"""


def against_live(live: Live, manifests: Path) -> dict[str, Any]:
    result = CliRunner().invoke(app, [
        "scan", str(manifests), "--against-context", live.context, "--format", "json",
        "--timeout", "5", "--select", "SC001,SC003,SC005", "--now", "2024-06-01T12:00:00Z"])
    assert result.exit_code == 1, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def found(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(f["code"], f["severity"], f["object"]["name"], f["pointer"])
            for f in report["findings"]]


def test_manifests_against_the_live_cluster(live: Live, tmp_path: Path) -> None:
    manifests = tmp_path / "upgrade.yaml"
    manifests.write_text(UPGRADE)
    report = against_live(live, manifests)
    assert found(report) == [("SC003", "error", "widgets.example.org", "/spec/versions")]
    sc003 = report["findings"][0]
    assert "live CRD widgets.example.org still stores objects as v1" in sc003["message"]
    assert sc003["source"] == {"file": str(manifests), "line": 1}
    assert report["sources"] == [
        {"type": "files", "paths": [str(manifests)]},
        {"type": "against", "context": "loopback", "server": live.server.url}]
    assert report["coverage"]["objects"] == 1  # the manifests; the live cluster is the target
    assert live.server.requests
    assert {r.method for r in live.server.requests} == {"GET"}


def test_a_new_crd_that_clashes_with_a_live_one(live: Live, tmp_path: Path) -> None:
    manifests = tmp_path / "rival.yaml"
    manifests.write_text(RIVAL)
    report = against_live(live, manifests)
    assert found(report) == [("SC001", "error", "widgetsv2.example.org", "/spec/names/kind")]
    assert report["findings"][0]["related"] == [
        {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
         "name": "widgets.example.org", "role": "holds-name",
         "source": {"file": "loopback:customresourcedefinitions.apiextensions.k8s.io"}}]


def test_against_context_that_cannot_be_read(live: Live, tmp_path: Path) -> None:
    manifests = tmp_path / "upgrade.yaml"
    manifests.write_text(UPGRADE)
    result = CliRunner().invoke(app, [
        "scan", str(manifests), "--against-context", "nope", "--timeout", "5"])
    assert result.exit_code == 2
    assert "--against-context nope: context 'nope' not found" in result.stderr
