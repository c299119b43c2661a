"""GitOps repositories: Helm charts and kustomize trees in a scanned folder
(``fixtures/gitops``: plain manifests with one real problem, a Helm chart, a kustomize base
with two overlays)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.snapshot.files import load_snapshot
from kaudit.snapshot.gitops import GitOpsOptions
from tests.conftest import FIXTURES

TREE = FIXTURES / "gitops"
runner = CliRunner()


def scan(*args: str) -> tuple[int, list[tuple[str, str, str]], dict]:
    result = runner.invoke(app, ["scan", *args, "--format", "json"])
    report = json.loads(result.stdout) if result.stdout.startswith("{") else {}
    found = sorted((f["code"], f["severity"], (f.get("source") or {}).get("file", ""))
                   for f in report.get("findings", []))
    return result.exit_code, found, report


def test_gitops_tree_without_rendering() -> None:
    code, found, report = scan(str(TREE))
    # The one real problem decides the exit code; charts and kustomize fragments are
    # notices, not broken documents or duplicates of the base they patch.
    assert code == 1
    assert found == [
        ("KA001", "info", f"{TREE}/charts/podinfo/Chart.yaml"),
        ("KA001", "info", f"{TREE}/kustomize/base/kustomization.yaml"),
        ("KA001", "info", f"{TREE}/kustomize/overlays/prod/kustomization.yaml"),
        ("KA001", "info", f"{TREE}/kustomize/overlays/staging/kustomization.yaml"),
        ("UQ115", "error", f"{TREE}/apps/web.yaml"),
    ]
    messages = [f["message"] for f in report["findings"] if f["code"] == "KA001"]
    assert f"`helm template podinfo {TREE}/charts/podinfo | kaudit scan -`" in messages[0]
    assert f"`kubectl kustomize {TREE}/kustomize/overlays/prod | kaudit scan -`" in messages[2]
    # Plain resources of the kustomize tree are still audited; patches are not objects.
    assert report["coverage"]["objects"] == 7
    assert runner.invoke(app, ["scan", str(TREE), "--fail-on", "error",
                               "--ignore", "UQ115"]).exit_code == 0


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_renders_the_overlays() -> None:
    snapshot = load_snapshot([str(TREE)], gitops=GitOpsOptions(kustomize=True))
    shops = {(o.namespace, o.raw["spec"]["replicas"]) for o in snapshot.of_kind(
        "Deployment", "apps")}
    assert shops == {("shop-staging", 2), ("shop-prod", 5)}  # the patches applied
    prod = next(o for o in snapshot.of_kind("Deployment", "apps") if o.namespace == "shop-prod")
    assert prod.source.file == f"kubectl kustomize {TREE}/kustomize/overlays/prod"
    assert prod.raw["spec"]["template"]["spec"]["containers"][0]["resources"] == {
        "limits": {"memory": "512Mi"}}
    code, found, _ = scan(str(TREE), "--kustomize")
    assert code == 1
    assert found == [("KA001", "info", f"{TREE}/charts/podinfo/Chart.yaml"),
                     ("UQ115", "error", f"{TREE}/apps/web.yaml")]


@pytest.mark.skipif(shutil.which("helm") is None, reason="helm is not installed")
def test_helm_renders_the_chart() -> None:
    snapshot = load_snapshot([str(TREE / "charts")], gitops=GitOpsOptions(helm=True))
    names = sorted((o.kind, o.name) for o in snapshot.objects)
    assert names == [("Deployment", "podinfo-podinfo"), ("Service", "podinfo-podinfo")]
    assert not snapshot.problems


def test_helm_without_a_helm_binary_is_an_input_error(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    code, _, report = scan(str(TREE / "apps"), str(TREE / "charts"), "--helm")
    assert code == 1
    failed = [f["message"] for f in report["findings"] if f["code"] == "KA001"]
    assert failed == [f"`helm template {TREE}/charts/podinfo` failed: helm is not on PATH"]


def test_a_folder_with_only_a_chart_is_no_input() -> None:
    result = runner.invoke(app, ["scan", str(TREE / "charts")])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Helm chart 'podinfo'" in result.stderr and "helm template podinfo" in result.stderr


def test_subcharts_render_with_their_parent_and_inline_patches_are_kept(tmp_path: Path
                                                                         ) -> None:
    chart = tmp_path / "umbrella"
    (chart / "charts/sub/templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: umbrella\nversion: 1.0.0\n")
    (chart / "charts/sub/Chart.yaml").write_text("apiVersion: v2\nname: sub\nversion: 1.0.0\n")
    (chart / "charts/sub/templates/cm.yaml").write_text("kind: {{ .Values.kind }}\n")
    kust = tmp_path / "k"
    kust.mkdir()
    (kust / "kustomization.yaml").write_text(
        "resources: [cm.yaml]\npatches:\n- patch: |-\n    - op: add\n      path: /data/b\n"
        "      value: '2'\n  target: {kind: ConfigMap}\n")
    (kust / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
                                  "data: {a: '1'}\n")
    snapshot = load_snapshot([str(tmp_path)])
    assert [(o.kind, o.name) for o in snapshot.objects] == [("ConfigMap", "c")]
    notices = sorted(str(p.source) for p in snapshot.problems)
    assert notices == sorted([f"{chart}/Chart.yaml:1", f"{kust}/kustomization.yaml:1"])


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_a_broken_kustomization_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: [missing.yaml]\n")
    snapshot = load_snapshot([str(tmp_path), str(TREE / "apps")],
                             gitops=GitOpsOptions(kustomize=True))
    [problem] = snapshot.problems
    assert problem.message.startswith(f"`kubectl kustomize {tmp_path}` failed: ")
    assert len(snapshot) == 3  # the rest is still audited


def test_helm_is_called_as_documented(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where no real helm exists (the test above skips), a stand-in on PATH checks what kaudit
    asks of it and that its output is audited as the chart's objects."""
    calls = tmp_path / "calls"
    fake = tmp_path / "helm"
    fake.write_text(f"#!/bin/sh\necho \"$@\" >> {calls}\n"
                    "printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: rendered\\n'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{Path('/bin')}:{Path('/usr/bin')}")
    snapshot = load_snapshot([str(TREE / "charts")], gitops=GitOpsOptions(helm=True))
    assert calls.read_text() == f"template podinfo {TREE}/charts/podinfo --include-crds\n"
    [obj] = snapshot.objects
    assert (obj.name, str(obj.source)) == ("rendered", f"helm template {TREE}/charts/podinfo:1")
    assert not snapshot.problems
