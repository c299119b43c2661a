"""SC008 and SC009 against a cluster read live (``--against-context``, GET only): the live
objects an apply would update, and the CRD schemas custom objects must satisfy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from kaudit.cli import app
from tests.live.apiserver import Cluster, Resource
from tests.live.cluster import obj
from tests.live.conftest import StartLive

GADGET_CRD = obj(
    "apiextensions.k8s.io/v1", "CustomResourceDefinition", "gadgets.example.org",
    spec={"group": "example.org", "scope": "Namespaced",
          "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget",
                    "listKind": "GadgetList"},
          "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
              "openAPIV3Schema": {"type": "object", "properties": {"spec": {
                  "type": "object", "properties": {
                      "color": {"type": "string", "enum": ["red", "green"]}}}}}}}]},
    status={"storedVersions": ["v1"]})


def cluster() -> Cluster:
    return Cluster(resources=[
        Resource("", "v1", "namespaces", "Namespace", False, [obj("v1", "Namespace", "shop")]),
        Resource("apps", "v1", "deployments", "Deployment", True, [
            obj("apps/v1", "Deployment", "web", "shop", metadata={"uid": "u-web"},
                spec={"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                      "template": {"metadata": {"labels": {"app": "web"}},
                                   "spec": {"containers": [{"name": "web",
                                                            "image": "web:1"}]}}})]),
        # Listed as metadata only by a live scan: its values are never read.
        Resource("", "v1", "secrets", "Secret", True, [
            obj("v1", "Secret", "token", "shop", immutable=True, type="Opaque",
                data={"token": "b2xkLXZhbHVl"})]),
        Resource("apiextensions.k8s.io", "v1", "customresourcedefinitions",
                 "CustomResourceDefinition", False, [GADGET_CRD]),
        Resource("example.org", "v1", "gadgets", "Gadget", True, []),
    ])


MANIFESTS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web, track: stable}}
  template:
    metadata: {labels: {app: web, track: stable}}
    spec:
      containers: [{name: web, image: "web:2"}]
---
apiVersion: v1
kind: Secret
metadata: {name: token, namespace: shop}
immutable: true
stringData: {token: new-value}
---
apiVersion: example.org/v1
kind: Gadget
metadata: {name: lamp, namespace: shop}
spec:
  color: blue
  colour: red
"""


def test_apply_failures_against_a_live_cluster(start_live: StartLive, tmp_path: Path) -> None:
    live = start_live(cluster())
    manifests = tmp_path / "release.yaml"
    manifests.write_text(MANIFESTS)
    result = CliRunner().invoke(app, [
        "scan", str(manifests), "--against-context", live.context, "--format", "json",
        "--timeout", "5", "--select", "SC008,SC009", "--now", "2024-06-01T12:00:00Z"])
    assert result.exit_code == 1, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    found = [(f["code"], f["severity"], f["object"]["name"], f["pointer"])
             for f in report["findings"]]
    # The Secret was read as metadata only: its immutable data is not judged (no guess).
    assert found == [
        ("SC008", "error", "web", "/spec/selector/matchLabels/track"),
        ("SC009", "error", "lamp", "/spec/color"),
        ("SC009", "warning", "lamp", "/spec/colour"),
    ]
    assert "new-value" not in result.stdout
    assert {r.method for r in live.server.requests} == {"GET"}
