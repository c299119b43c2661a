"""``kaudit explain`` and ``kaudit graph`` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from tests.conftest import FIXTURES

CROSSPLANE = str(FIXTURES / "scenarios/crossplane-foreground-delete/snapshot.yaml")
NOW = ["--now", "2024-02-21T15:00:00Z"]
CLAIM = ["explain", "userrole/alice", "-n", "team-a", CROSSPLANE, *NOW]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_explain_tree_shows_chain_error_and_patch(runner: CliRunner) -> None:
    result = runner.invoke(app, CLAIM)
    assert result.exit_code == 0, result.output
    # Rich wraps long lines inside the tree: compare with whitespace and guides collapsed.
    out = " ".join(result.output.replace("│", " ").split())
    for expected in ("UserRole team-a/alice", "composite: XUserRole alice-7xk2p",
                     "Role alice-7xk2p-9fz4q", "BLOCKER",
                     "Synced=False ReconcileError: delete failed: cannot drop role",
                     "kubectl patch role.postgresql.sql.crossplane.io alice-7xk2p-9fz4q "
                     "--type=json -p '[{\"op\":\"test\",\"path\":\"/metadata/uid\"",
                     "printed, never applied"):
        assert " ".join(expected.split()) in out


def test_explain_json_matches_the_data(runner: CliRunner) -> None:
    result = runner.invoke(app, [*CLAIM, "--format", "json"])
    data = json.loads(result.stdout)
    assert data["now"] == "2024-02-21T15:00:00Z"
    assert [b["name"] for b in data["blockers"]] == ["alice-7xk2p-9fz4q"]
    assert data["remediation"][0]["patch"][-1] == {"op": "remove",
                                                   "path": "/metadata/finalizers/0"}
    assert runner.invoke(app, [*CLAIM, "--format", "json"]).stdout == result.stdout


def test_explain_usage_errors_exit_2(runner: CliRunner, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    nobody = runner.invoke(app, ["explain", "userrole/nobody", CROSSPLANE])
    assert nobody.exit_code == 2
    assert "no UserRole named 'nobody' in the inputs" in nobody.stderr
    # No PATH means "the current kubeconfig context": with none to be found, say what to give.
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    nothing = runner.invoke(app, ["explain", "userrole/alice"])
    assert nothing.exit_code == 2
    assert "or give the files, folders, saved snapshot or - (stdin) that hold the object, " \
        "or --demo" in nothing.stderr
    assert runner.invoke(app, [*CLAIM, "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, [*CLAIM, "--grace", "soon"]).exit_code == 2


def test_graph_focus_dot(runner: CliRunner) -> None:
    result = runner.invoke(app, ["graph", CROSSPLANE, "--focus", "xuserrole/alice-7xk2p"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        'digraph kaudit {\n'
        '  rankdir=LR;\n'
        '  node [shape=box, fontname="Helvetica"];\n'
        '  "UserRole.platform.example.org/team-a/alice" [label="UserRole\\nteam-a/alice", '
        'color="red", penwidth=2];\n'
        '  "XUserRole.platform.example.org/alice-7xk2p" [label="XUserRole\\nalice-7xk2p", '
        'color="red", penwidth=2];\n'
        '  "Role.postgresql.sql.crossplane.io/alice-7xk2p-9fz4q" '
        '[label="Role\\nalice-7xk2p-9fz4q", color="red", penwidth=2];\n'
        '  "UserRole.platform.example.org/team-a/alice" -> '
        '"XUserRole.platform.example.org/alice-7xk2p" [label="composite"];\n'
        '  "XUserRole.platform.example.org/alice-7xk2p" -> '
        '"UserRole.platform.example.org/team-a/alice" [label="claim"];\n'
        '  "XUserRole.platform.example.org/alice-7xk2p" -> '
        '"Role.postgresql.sql.crossplane.io/alice-7xk2p-9fz4q" [label="composes"];\n'
        '  "Role.postgresql.sql.crossplane.io/alice-7xk2p-9fz4q" -> '
        '"XUserRole.platform.example.org/alice-7xk2p" [label="owner"];\n'
        '}\n')


def test_graph_mermaid_and_json(runner: CliRunner) -> None:
    mermaid = runner.invoke(app, ["graph", CROSSPLANE, "--focus", "xuserrole/alice-7xk2p",
                                  "--format", "mermaid"]).stdout
    assert mermaid.splitlines()[0] == "flowchart LR"
    assert "  n1 -->|composes| n2" in mermaid and "class n0,n1,n2 deleting" in mermaid
    whole = json.loads(runner.invoke(app, ["graph", CROSSPLANE, "--format", "json"]).stdout)
    # 9 objects, and the 2 namespaces they live in (referenced, not in the inputs).
    assert len(whole["nodes"]) == 11
    assert {"id": "Namespace/team-a", "object": {"apiVersion": "v1", "kind": "Namespace",
                                                 "name": "team-a"}, "present": False} \
        in whole["nodes"]
    assert {"source": "Event/default/alice-7xk2p-9fz4q.17b5f1e2a3c4d5e6",
            "target": "Role.postgresql.sql.crossplane.io/alice-7xk2p-9fz4q",
            "relation": "about", "pointer": "/involvedObject"} in whole["edges"]


def test_graph_usage_errors_exit_2(runner: CliRunner, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    nothing = runner.invoke(app, ["graph"])
    assert nothing.exit_code == 2
    assert "or give files, folders, a saved snapshot or - (stdin) to draw, or --demo" \
        in nothing.stderr
    assert runner.invoke(app, ["graph", CROSSPLANE, "--format", "png"]).exit_code == 2
    assert runner.invoke(app, ["graph", CROSSPLANE, "--focus", "role/none"]).exit_code == 2


def test_explain_json_has_no_wall_clock(runner: CliRunner) -> None:
    """Without --now or a capture time, ages come from the clock but the JSON states none."""
    result = runner.invoke(app, ["explain", "userrole/alice", "-n", "team-a", CROSSPLANE,
                                 "--format", "json"])
    assert json.loads(result.stdout)["now"] is None


def test_explain_demo(runner: CliRunner) -> None:
    result = runner.invoke(app, ["explain", "ns/legacy", "--demo", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["now"] == "2024-06-01T12:00:00Z"  # the demo snapshot's capture time
    assert sorted(b["name"] for b in data["blockers"]) == [
        "billing-5b7c9d", "billing-lease", "v1beta1.metrics.k8s.io"]
