"""``kaudit explain --context`` and ``kaudit graph --context`` end to end, through the CLI,
against the loopback API server: kubeconfig -> discovery -> paged lists -> graph -> triage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from kaudit.cli import app
from tests.live.cluster import build_stuck_chain_cluster
from tests.live.conftest import Live, StartLive

NOW = ["--now", "2024-03-01T02:00:00Z"]
SHELF = {"apiVersion": "example.org/v1", "kind": "Widget", "namespace": "shop", "name": "shelf"}
PART = {**SHELF, "name": "shelf-part"}
PATCH = [
    {"op": "test", "path": "/metadata/uid", "value": "uid-shop-shelf-part"},
    {"op": "test", "path": "/metadata/finalizers/0", "value": "example.org/cleanup"},
    {"op": "remove", "path": "/metadata/finalizers/0"},
]
KUBECTL = ("kubectl patch widget.example.org shelf-part -n shop --type=json -p '"
           + json.dumps(PATCH, separators=(",", ":")) + "'")
METRICS_GAP = "not read: metrics.k8s.io/v1beta1: discovery failed"
# Every listable type, read in every namespace (``-n`` names the object, not the scope).
CLUSTER_WIDE_LISTS = {
    "/api/v1/namespaces", "/api/v1/pods", "/api/v1/configmaps", "/api/v1/secrets",
    "/apis/apps/v1/deployments", "/apis/apps/v1/replicasets",
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    "/apis/example.org/v1/widgets",
}


@pytest.fixture
def chain(start_live: StartLive) -> Live:
    return start_live(build_stuck_chain_cluster())


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def listed(live: Live) -> set[str]:
    return {r.path for r in live.server.requests if "limit" in r.query}


def flat(text: str) -> str:
    """Rich wraps long lines inside the tree: whitespace and tree guides collapsed."""
    return " ".join(text.replace("│", " ").split())


def test_explain_context_json_walks_the_chain_to_the_leaf(chain: Live) -> None:
    result = invoke("explain", "widget/shelf", "-n", "shop", "--context", "loopback",
                    "--timeout", "5", "--format", "json", *NOW)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    assert data["sources"] == [{"type": "live", "context": "loopback",
                                "server": chain.server.url}]
    assert data["now"] == "2024-03-01T02:00:00Z"
    assert data["target"] == SHELF
    assert data["verdict"] == "blocked by 1 leaf object(s): Widget shop/shelf-part"
    assert data["path"] == [SHELF]
    assert data["blockers"] == [PART]
    root = data["tree"]
    assert (root["object"], root["target"], root["blocker"], root["deletingFor"]) == \
        (SHELF, True, False, "2h")
    assert [f["finalizer"] for f in root["finalizers"]] == ["foregroundDeletion"]
    assert root["finalizers"][0]["liveness"]["state"] == "garbage-collector"
    [part] = root["children"]
    assert (part["object"], part["relation"], part["blocker"], part["children"]) == \
        (PART, "dependent (blocks owner deletion)", True, [])
    assert part["conditions"] == [{"type": "Ready", "status": "False",
                                   "reason": "CleanupFailed",
                                   "message": "cannot delete bucket shelf-part: access denied"}]
    [cleanup] = part["finalizers"]
    assert cleanup["controller"] == "the controller of API group example.org (served by a CRD)"
    # The evidence lives in another namespace than the object's: read because a live explain
    # lists every namespace.
    assert cleanup["liveness"] == {
        "state": "gone",
        "evidence": [{"says": "gone",
                      "text": "Deployment widget-system/widget-operator is scaled to zero",
                      "object": {"apiVersion": "apps/v1", "kind": "Deployment",
                                 "namespace": "widget-system", "name": "widget-operator"}}],
        "unreadable": []}
    [remedy] = data["remediation"]
    assert remedy["object"] == PART
    assert remedy["patch"] == PATCH
    assert remedy["kubectl"] == KUBECTL
    assert remedy["caution"] == "its controller looks gone: do its cleanup by hand first"
    # What could not be read is said, on stderr, so the JSON on stdout stays clean.
    assert METRICS_GAP in result.stderr


def test_explain_context_reads_every_namespace_and_only_gets(chain: Live) -> None:
    result = invoke("explain", "widget/shelf-part", "-n", "shop", "--context", "loopback",
                    "--timeout", "5", "--page-size", "2", *NOW)
    assert result.exit_code == 0, result.output
    assert listed(chain) == CLUSTER_WIDE_LISTS
    pods = chain.server.requests_to("/api/v1/pods")
    assert [r.query.get("limit") for r in pods] == [["2"]] * 3  # --page-size reaches the lists
    assert chain.server.requests
    assert {r.method for r in chain.server.requests} == {"GET"}


def test_explain_context_tree(chain: Live) -> None:
    result = invoke("explain", "widget/shelf-part", "-n", "shop", "--context", "loopback",
                    "--timeout", "5", *NOW)
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert out.startswith("kaudit explain Widget shop/shelf-part (now 2024-03-01T02:00:00Z) "
                          "blocked by 1 leaf object(s): Widget shop/shelf-part")
    for expected in (
            "└── Widget shop/shelf (example.org) deleting for 2h (since 2024-03-01T00:00:00Z) "
            "├── finalizer foregroundDeletion - kube-controller-manager garbage collector",
            "└── dependent: Widget shop/shelf-part (example.org) deleting for 2h (since "
            "2024-03-01T00:00:00Z) <- explained BLOCKER",
            "finalizer example.org/cleanup - the controller of API group example.org (served by "
            "a CRD): looks gone: Deployment widget-system/widget-operator is scaled to zero",
            "Ready=False CleanupFailed: cannot delete bucket shelf-part: access denied",
            "Remediation (printed, never applied;",
            KUBECTL):
        assert expected in out, expected
    assert METRICS_GAP in result.stderr


def test_explain_without_path_reads_the_current_context(chain: Live) -> None:
    result = invoke("explain", "widget/shelf-part", "-n", "shop", "--format", "json", *NOW)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sources"][0]["context"] == "loopback"
    assert data["blockers"] == [PART]


def test_explain_live_errors_exit_2(chain: Live, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    missing = invoke("explain", "widget/nope", "-n", "shop", "--context", "loopback")
    assert missing.exit_code == 2
    assert "no Widget named 'nope' in namespace shop in the cluster (context loopback)" \
        in missing.stderr
    unknown = invoke("explain", "widget/shelf", "--context", "nope")
    assert unknown.exit_code == 2
    assert "context 'nope' not found" in unknown.stderr
    # A live-only option next to a PATH is refused rather than silently ignored.
    mixed = invoke("explain", "widget/shelf", "--context", "loopback", "dump.yaml")
    assert mixed.exit_code == 2
    assert "--context/--kubeconfig read a live cluster: give them without PATH or --demo" \
        in mixed.stderr
    assert invoke("explain", "widget/shelf", "--demo", "--kubeconfig",
                  str(chain.kubeconfig)).exit_code == 2
    # A malformed target fails before the cluster is read.
    before = len(chain.server.requests)
    bad = invoke("explain", "shelf", "--context", "loopback")
    assert bad.exit_code == 2
    assert "write KIND/NAME" in bad.stderr
    assert len(chain.server.requests) == before
    # --kubeconfig wins over $KUBECONFIG.
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    result = invoke("explain", "widget/shelf", "-n", "shop", "--kubeconfig",
                    str(chain.kubeconfig), "--format", "json", *NOW)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["blockers"] == [PART]


def test_graph_context_focus_dot(chain: Live) -> None:
    result = invoke("graph", "--context", "loopback", "--timeout", "5",
                    "--focus", "widget/shelf", "-n", "shop")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        'digraph kaudit {\n'
        '  rankdir=LR;\n'
        '  node [shape=box, fontname="Helvetica"];\n'
        '  "Widget.example.org/shop/shelf" [label="Widget\\nshop/shelf", color="red", '
        'penwidth=2];\n'
        '  "Widget.example.org/shop/shelf-part" [label="Widget\\nshop/shelf-part", '
        'color="red", penwidth=2];\n'
        '  "Widget.example.org/shop/shelf-part" -> "Widget.example.org/shop/shelf" '
        '[label="owner"];\n'
        '}\n')
    assert listed(chain) == CLUSTER_WIDE_LISTS
    assert {r.method for r in chain.server.requests} == {"GET"}
    assert METRICS_GAP in result.stderr


def test_graph_current_context_whole_cluster_json(chain: Live, tmp_path: Path) -> None:
    out = tmp_path / "graph.json"
    result = invoke("graph", "--format", "json", "--qps", "100", "--burst", "10",
                    "-o", str(out))
    assert result.exit_code == 0, result.output
    whole = json.loads(out.read_text())
    present = {n["id"]: n["present"] for n in whole["nodes"]}
    # 4 namespaces, 6 pods, 2 configmaps, 2 secrets, 2 deployments, 2 replicasets, 1 CRD and
    # 4 widgets read, plus the Deployment that ReplicaSet api-7 names but that is gone.
    assert sorted(present.values()).count(True) == 23
    assert [k for k, here in present.items() if not here] == ["Deployment.apps/shop/api"]
    assert present["Deployment.apps/widget-system/widget-operator"]
    assert present["Widget.example.org/shop/shelf-part"]
    assert {"source": "Widget.example.org/shop/shelf-part",
            "target": "Widget.example.org/shop/shelf", "relation": "owner",
            "pointer": "/metadata/ownerReferences/0"} in whole["edges"]
    assert {r.method for r in chain.server.requests} == {"GET"}


def test_graph_live_errors_exit_2(chain: Live) -> None:
    # -n without --focus is refused before anything is read.
    result = invoke("graph", "--context", "loopback", "-n", "shop")
    assert result.exit_code == 2
    assert "-n/--namespace only applies to --focus" in result.stderr
    assert chain.server.requests == []
    mixed = invoke("graph", "--kubeconfig", str(chain.kubeconfig), "--demo")
    assert mixed.exit_code == 2
    assert "give them without PATH or --demo" in mixed.stderr
    focus = invoke("graph", "--context", "loopback", "--focus", "widget/gone", "-n", "shop")
    assert focus.exit_code == 2
    assert "no Widget named 'gone'" in focus.stderr
