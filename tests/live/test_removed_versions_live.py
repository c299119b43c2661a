"""SC007 against a cluster read live: what it serves is its APIService objects (listed like
any resource) and its CRDs, so a manifest in a version it dropped fails the gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from kaudit.cli import app
from tests.live.apiserver import Cluster, Resource
from tests.live.cluster import obj, widget_crd
from tests.live.conftest import StartLive


def apiservice(group: str, version: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"version": version, "groupPriorityMinimum": 1000,
                            "versionPriority": 15}
    if group:
        spec["group"] = group
    return obj("apiregistration.k8s.io/v1", "APIService", f"{version}.{group}", spec=spec)


def cluster() -> Cluster:
    served = [("", "v1"), ("apps", "v1"), ("policy", "v1"), ("apiregistration.k8s.io", "v1"),
              ("apiextensions.k8s.io", "v1"), ("example.org", "v1")]
    return Cluster(resources=[
        Resource("", "v1", "namespaces", "Namespace", False, [obj("v1", "Namespace", "shop")]),
        Resource("apps", "v1", "deployments", "Deployment", True, []),
        Resource("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True, []),
        Resource("apiregistration.k8s.io", "v1", "apiservices", "APIService", False,
                 [apiservice(g, v) for g, v in served]),
        Resource("apiextensions.k8s.io", "v1", "customresourcedefinitions",
                 "CustomResourceDefinition", False, [widget_crd()]),
    ])


MANIFESTS = """\
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}}
---
apiVersion: example.org/v1alpha1
kind: Widget
metadata: {name: w, namespace: shop}
"""


def test_removed_versions_against_a_live_cluster(start_live: StartLive, tmp_path: Path) -> None:
    live = start_live(cluster())
    manifests = tmp_path / "chart.yaml"
    manifests.write_text(MANIFESTS)
    result = CliRunner().invoke(app, [
        "scan", str(manifests), "--against-context", live.context, "--format", "json",
        "--timeout", "5", "--select", "SC007"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    found = sorted((f["object"]["kind"], f["message"].rsplit("; ", 1)[-1] if "use " in f["message"]
              else f["message"].split(":", 1)[0]) for f in report["findings"])
    assert found == [
        ("PodDisruptionBudget", "use policy/v1"),
        ("Widget", "the target cluster serves example.org only at v1, not v1alpha1"),
    ]
    assert {r.method for r in live.server.requests} == {"GET"}
