"""``kaudit scan --context`` end to end: kubeconfig -> discovery -> paged lists -> rules."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from kubernetes.config import incluster_config
from typer.testing import CliRunner

from kaudit.cli import app
from tests.live.apiserver import Fault
from tests.live.cluster import CREDENTIAL_VALUE, PLAIN_SECRET_VALUE
from tests.live.conftest import TOKEN, Live, StartLive, write_kubeconfig
from tests.live.helpers import flagged, gaps, still_audited


def test_scan_finds_problems_across_core_grouped_and_crd_types(live: Live) -> None:
    report = live.report()
    still_audited(report)
    assert report["sources"] == [
        {"type": "live", "context": "loopback", "server": live.server.url}]
    # 3 namespaces, 6 pods, 2 configmaps, 2 secrets, 1 deployment, 2 replicasets, 1 CRD,
    # 2 widgets
    assert report["coverage"]["objects"] == 19
    assert gaps(report) == {"metrics.k8s.io/v1beta1": "discovery failed"}


def test_discovery_skips_subresources_and_unlistable_types(live: Live) -> None:
    live.report()
    listed = {r.path for r in live.server.requests if "limit" in r.query}
    assert listed == {
        "/api/v1/namespaces", "/api/v1/pods", "/api/v1/configmaps", "/api/v1/secrets",
        "/apis/apps/v1/deployments", "/apis/apps/v1/replicasets",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        "/apis/example.org/v1/widgets",
    }


def test_only_get_is_ever_sent(live: Live) -> None:
    live.report("--page-size", "2")
    assert live.server.requests
    assert {r.method for r in live.server.requests} == {"GET"}


def test_pages_are_followed_with_continue(live: Live) -> None:
    report = live.report("--page-size", "2")
    pods = live.server.requests_to("/api/v1/pods")
    assert [r.query.get("limit") for r in pods] == [["2"]] * 3
    assert [("continue" in r.query) for r in pods] == [False, True, True]
    assert report["coverage"]["objects"] == 19


def test_secrets_are_read_as_metadata_except_credentials(live: Live, tmp_path: Path) -> None:
    result = live.scan()
    secrets = live.server.requests_to("/api/v1/secrets")
    asked = sorted((r.query["labelSelector"][0], r.headers["accept"]) for r in secrets)
    assert asked == [
        ("!konghq.com/credential",
         "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"),
        ("konghq.com/credential", "application/json"),
    ]
    for value in (PLAIN_SECRET_VALUE, CREDENTIAL_VALUE, "hunter2", "supersecret-key"):
        assert value not in result.stdout


def test_namespace_narrows_namespaced_types_only(live: Live) -> None:
    report = live.report("-n", "shop")
    listed = {r.path for r in live.server.requests if "limit" in r.query}
    assert "/api/v1/namespaces/shop/pods" in listed
    assert "/apis/example.org/v1/namespaces/shop/widgets" in listed
    # Cluster-scoped types are still read in full.
    assert "/api/v1/namespaces" in listed
    assert "/apis/apiextensions.k8s.io/v1/customresourcedefinitions" in listed
    assert not any(p.startswith("/api/v1/namespaces/other") for p in listed)
    assert flagged(report, "FN001") == ["Widget shop/stuck"]
    # Under -n a namespaced kind is not read in full, so an absent owner proves nothing and
    # no dangling-reference claim is made (no false alarm from a narrowed scan).
    assert flagged(report, "ST004") == []


def test_tls_and_bearer_token(start_live: StartLive) -> None:
    live = start_live(tls=True, token=TOKEN)
    report = live.report()
    still_audited(report)
    assert report["sources"][0]["server"].startswith("https://127.0.0.1:")
    assert {r.headers.get("authorization") for r in live.server.requests} == {
        f"Bearer {TOKEN}"}
    assert TOKEN not in json.dumps(report)


def test_exec_credential_plugin(start_live: StartLive) -> None:
    credential = {"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                  "status": {"token": TOKEN}}
    plugin = {"exec": {"apiVersion": "client.authentication.k8s.io/v1",
                       "command": sys.executable,
                       "args": ["-c", f"print({json.dumps(credential)!r})"],
                       "interactiveMode": "Never"}}
    live = start_live(token=TOKEN, user=plugin)
    still_audited(live.report())
    assert {r.headers.get("authorization") for r in live.server.requests} == {
        f"Bearer {TOKEN}"}


def test_client_certificate(start_live: StartLive) -> None:
    live = start_live(client_cert=True)
    still_audited(live.report())
    assert live.server.requests


def test_progress_is_silent_when_stderr_is_not_a_terminal(live: Live) -> None:
    result = live.scan()
    assert result.exit_code == 1
    assert result.stderr == ""


def test_in_cluster_service_account(start_live: StartLive, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """No kubeconfig, but a pod's environment: the service account is used, like kubectl."""
    live = start_live(tls=True, token=TOKEN)
    token_file = tmp_path / "sa-token"
    token_file.write_text(TOKEN)
    monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(token_file))
    monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(tmp_path / "server.crt"))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", str(live.server.port))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    result = CliRunner().invoke(app, ["scan", "--format", "json", "--timeout", "5"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    still_audited(report)
    assert report["sources"] == [
        {"type": "live", "context": "in-cluster", "server": live.server.url}]


def test_merged_kubeconfig_files_and_context_choice(start_live: StartLive, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    live = start_live()
    # The current context of the first file points nowhere; --context picks the loopback one
    # from the second file, as kubectl merges KUBECONFIG lists.
    first = write_kubeconfig(tmp_path / "first", "http://127.0.0.1:1", context="elsewhere")
    monkeypatch.setenv("KUBECONFIG", f"{first}:{live.kubeconfig}")
    still_audited(live.report())
    # Without --context, the first file's current-context wins, as in kubectl.
    current = CliRunner().invoke(app, ["scan", "--format", "json", "--timeout", "2"])
    assert current.exit_code == 2
    assert "http://127.0.0.1:1 (context elsewhere)" in current.stderr
    unknown = CliRunner().invoke(app, ["scan", "--context", "nope", "--format", "json"])
    assert unknown.exit_code == 2
    assert "context 'nope' not found" in unknown.stderr
    # A repeated --context reads several clusters: an unknown one among them is named too.
    several = live.scan("--context", "nope")
    assert several.exit_code == 2
    assert "context(s) 'nope' not in the kubeconfig" in several.stderr


def test_current_context_is_used_without_path_or_context(live: Live) -> None:
    result = CliRunner().invoke(app, ["scan", "--format", "json"])
    assert result.exit_code == 1, result.output
    still_audited(json.loads(result.stdout))


def test_explicit_kubeconfig_option(live: Live, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    assert live.scan().exit_code == 2
    report = live.report("--kubeconfig", str(live.kubeconfig))
    still_audited(report)


def test_live_options_need_no_path(live: Live) -> None:
    result = live.scan("fixtures/inputs")
    assert result.exit_code == 2
    assert "without PATH" in result.stderr


def test_credentials_never_reach_the_report(start_live: StartLive) -> None:
    live = start_live(token=TOKEN)
    text = live.scan().stdout
    assert TOKEN not in text
    doc = yaml.safe_load(live.kubeconfig.read_text())
    assert doc["users"][0]["user"]["token"] not in text


def test_a_type_that_disappears_is_a_gap(live: Live) -> None:
    live.server.add_fault(Fault("/apis/apps/v1/deployments", 404, times=-1))
    report = live.report()
    assert gaps(report)["deployments.apps"] == "not found"
    assert flagged(report, "FN001") == ["Widget shop/stuck"]


def test_live_objects_are_kept_lean_for_declared_readers(live: Live) -> None:
    """A live scan cuts pods like a dump's (``kaudit.snapshot.reads``): a rule declaring it
    reads nothing of a pod's body sees every pod lean; one declaring nothing sees them whole."""
    rules = str(Path(__file__).resolve().parents[2] / "fixtures" / "rules-dirs" / "lean")
    lean = live.report("--rules-dir", rules, "--select", "XX951,FN,ST,UQ,SC")
    assert sum(f["code"] == "XX951" for f in lean["findings"]) == 6
    whole = live.report("--rules-dir", rules, "--select", "XX951,XX950,FN,ST,UQ,SC")
    assert not any(f["code"] == "XX951" for f in whole["findings"])
