"""``deploy/``: both overlays render, kaudit finds nothing to warn about in them, the role is
read-only, pods meet the restricted profile, and alerts and dashboard use exported metrics."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.report.prometheus_format import exported_names

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
OVERLAYS = ("cronjob", "watch")
READ_VERBS = {"get", "list", "watch"}
METRIC = re.compile(r"\b(kaudit_[a-z0-9_]+)\b")


def render(overlay: str) -> str:
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not on PATH")
    done = subprocess.run(["kubectl", "kustomize", str(DEPLOY / "overlays" / overlay)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request: pytest.FixtureRequest) -> tuple[str, str, list[dict[str, Any]]]:
    text = render(request.param)
    return request.param, text, [d for d in yaml.safe_load_all(text) if d]


def by_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def test_overlays_render_what_they_promise(rendered: tuple[str, str, list[Any]]) -> None:
    overlay, _, objects = rendered
    kinds = {o["kind"] for o in objects}
    common = {"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding",
              "PrometheusRule", "ConfigMap"}
    extra = {"cronjob": {"CronJob"},
             "watch": {"Deployment", "Service", "ServiceMonitor"}}[overlay]
    assert kinds == common | extra
    [binding] = by_kind(objects, "ClusterRoleBinding")
    [account] = by_kind(objects, "ServiceAccount")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": account["metadata"]["name"],
                                    "namespace": account["metadata"]["namespace"]}]


def test_kaudit_finds_nothing_at_warning_or_above_in_its_own_manifests(
        rendered: tuple[str, str, list[Any]]) -> None:
    _, text, _ = rendered
    result = CliRunner().invoke(app, ["scan", "-", "--format", "json", "--fail-on", "warning"],
                                input=text)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["summary"]["error"] == report["summary"]["warning"] == 0
    assert report["coverage"]["objects"] == len(rendered[2])


def test_the_cluster_role_only_reads(rendered: tuple[str, str, list[Any]]) -> None:
    _, _, objects = rendered
    roles = by_kind(objects, "ClusterRole") + by_kind(objects, "Role")
    assert roles
    for role in roles:
        for rule in role["rules"]:
            assert set(rule["verbs"]) <= READ_VERBS, rule
            assert "*" not in rule["verbs"]


def test_pods_are_restricted_and_bounded(rendered: tuple[str, str, list[Any]]) -> None:
    _, _, objects = rendered
    workloads = by_kind(objects, "Deployment") + by_kind(objects, "CronJob")
    assert workloads
    for workload in workloads:
        template = workload["spec"].get("template") or \
            workload["spec"]["jobTemplate"]["spec"]["template"]
        pod = template["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        assert pod["serviceAccountName"] == "kaudit"
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False
            assert security["readOnlyRootFilesystem"] is True
            assert security["capabilities"]["drop"] == ["ALL"]
            resources = container["resources"]
            assert {"cpu", "memory"} <= resources["requests"].keys()
            assert {"cpu", "memory"} <= resources["limits"].keys()
            assert container["image"].startswith("ghcr.io/example/kaudit:")
            assert container["args"][0] in ("scan", "watch")


def test_watch_is_scraped_on_the_port_it_listens_on() -> None:
    objects = [d for d in yaml.safe_load_all(render("watch")) if d]
    [deployment] = by_kind(objects, "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    listen = container["args"][container["args"].index("--listen") + 1]
    port = container["ports"][0]
    assert listen.endswith(f":{port['containerPort']}")
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    [monitor] = by_kind(objects, "ServiceMonitor")
    [service] = by_kind(objects, "Service")
    assert monitor["spec"]["endpoints"][0]["port"] == service["spec"]["ports"][0]["name"]
    assert monitor["spec"]["endpoints"][0]["honorLabels"] is True
    assert monitor["spec"]["selector"]["matchLabels"].items() <= \
        service["metadata"]["labels"].items()


def alert_rules() -> list[dict[str, Any]]:
    doc = yaml.safe_load((DEPLOY / "monitoring" / "prometheusrule.yaml").read_text())
    return [rule for group in doc["spec"]["groups"] for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    doc = json.loads((DEPLOY / "monitoring" / "dashboard.json").read_text())
    return [t["expr"] for panel in doc["panels"] for t in panel["targets"]]


@pytest.mark.parametrize("expr", [r["expr"] for r in alert_rules()] + dashboard_exprs())
def test_alerts_and_dashboard_use_only_exported_metrics(expr: str) -> None:
    used = set(METRIC.findall(expr))
    assert used, f"no kaudit metric in {expr!r}"
    assert used <= exported_names(), used - exported_names()
    assert expr.count("(") == expr.count(")") and expr.count("{") == expr.count("}")


def test_the_alerts_the_issue_asks_for_exist() -> None:
    exprs = {r["alert"]: r["expr"] for r in alert_rules()}
    assert 'code="FN001"' in exprs["KauditStuckDeletion"]
    assert 'code="SC001"' in exprs["KauditDuplicateGVK"]
    assert 'severity="error"' in exprs["KauditErrorFinding"]


def test_the_dockerfile_is_minimal_pinned_and_non_root() -> None:
    text = (ROOT / "Dockerfile").read_text()
    bases = re.findall(r"^FROM (\S+)", text, re.MULTILINE)
    assert bases and all(re.search(r":\d+\.\d+\.\d+", b) for b in bases)
    assert "latest" not in text
    assert re.search(r"^USER 65532", text, re.MULTILINE)
    assert "pip install --no-cache-dir /wheels/*.whl" in text
    assert "UNTESTED HERE" in text
