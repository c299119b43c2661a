"""Several clusters in one run: ``scan``/``snapshot`` with repeated ``--context``,
``--all-contexts`` and ``--contexts-from``, one of them unreachable."""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from kaudit.cli import app
from tests.live.apiserver import LoopbackAPIServer
from tests.live.cluster import build_cluster, obj


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Contexts ``east`` and ``west`` (two loopback API servers; west has one more stuck
    Widget) and ``gone`` (nothing listens there), in one kubeconfig."""
    west_cluster = build_cluster()
    widgets = next(r for r in west_cluster.resources if r.kind == "Widget")
    widgets.objects.append(obj("example.org/v1", "Widget", "west-only", "shop", metadata={
        "deletionTimestamp": "2024-03-01T00:00:00Z", "finalizers": ["example.org/cleanup"]}))
    servers = {"east": LoopbackAPIServer(build_cluster()).start(),
               "west": LoopbackAPIServer(west_cluster).start()}
    urls = {name: s.url for name, s in servers.items()}
    urls["gone"] = f"http://127.0.0.1:{closed_port()}"
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": "east",
           "clusters": [{"name": n, "cluster": {"server": u}} for n, u in urls.items()],
           "users": [{"name": "u", "user": {}}],
           "contexts": [{"name": n, "context": {"cluster": n, "user": "u"}} for n in urls]}
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(doc))
    monkeypatch.setenv("KUBECONFIG", str(path))
    yield path
    for server in servers.values():
        server.stop()


def scan(*args: str) -> Any:
    return CliRunner().invoke(app, ["scan", "--timeout", "3", *args], catch_exceptions=False)


def test_json_report_names_the_cluster_of_every_finding(fleet: Path) -> None:
    result = scan("--context", "west", "--context", "east", "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["version"] == 2
    assert [c["cluster"] for c in report["clusters"]] == ["east", "west"]
    assert all(c["reachable"] and c["coverage"]["objects"] > 0 for c in report["clusters"])
    stuck = sorted((f["cluster"], f["object"]["name"]) for f in report["findings"]
                   if f["code"] == "FN001")
    assert stuck == [("east", "stuck"), ("west", "stuck"), ("west", "west-only")]
    assert all("cluster" in f for f in report["findings"])
    assert {g["cluster"] for g in report["coverage"]["gaps"]} == {"east", "west"}
    assert report["coverage"]["objects"] == sum(c["coverage"]["objects"]
                                                for c in report["clusters"])


def test_an_unreachable_cluster_is_its_gap_and_fails_the_gate(fleet: Path,
                                                              tmp_path: Path) -> None:
    listed = tmp_path / "contexts.txt"
    listed.write_text("# the fleet\neast\n\ngone  # decommissioned?\n")
    result = scan("--contexts-from", str(listed), "--format", "json", "--select", "KA002")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    gone = next(c for c in report["clusters"] if c["cluster"] == "gone")
    assert not gone["reachable"]
    assert [(g["resource"], g["reason"]) for g in gone["coverage"]["gaps"]] == \
        [("cluster", "unreachable")]
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert [(f["cluster"], f["code"]) for f in errors] == [("gone", "KA002")]


def test_nothing_readable_at_all_exits_2(fleet: Path, tmp_path: Path) -> None:
    listed = tmp_path / "contexts.txt"
    listed.write_text("gone\n")
    assert scan("--contexts-from", str(listed), "--format", "json").exit_code == 2


def test_all_contexts_and_the_table_groups_by_cluster(fleet: Path) -> None:
    result = scan("--all-contexts", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    headings = [line for line in result.stdout.splitlines() if line.startswith("== cluster")]
    assert [h.split()[2] for h in headings] == ["east", "gone", "west"]
    assert "(unreachable)" in headings[1]
    assert result.stdout.rstrip().splitlines()[-1].startswith("3 clusters:")


def test_prometheus_metrics_carry_the_cluster(fleet: Path) -> None:
    result = scan("--context", "east", "--context", "west", "--format", "prometheus")
    families = {f.name: f for f in text_string_to_metric_families(result.stdout)}
    stuck = {(s.labels["cluster"], s.value) for s in families["kaudit_findings"].samples
             if s.labels["code"] == "FN001"}
    assert stuck == {("east", 1.0), ("west", 2.0)}
    assert {s.labels["cluster"] for s in families["kaudit_objects"].samples} == {"east", "west"}


def test_several_contexts_refuse_paths_and_other_formats(fleet: Path, tmp_path: Path) -> None:
    assert scan("--context", "east", "--context", "west", "--demo").exit_code == 2
    refused = scan("--context", "east", "--all-contexts")
    assert refused.exit_code == 2 and "not several" in refused.output


def test_a_single_context_report_is_unchanged(fleet: Path) -> None:
    report = json.loads(scan("--context", "east", "--format", "json").stdout)
    assert report["version"] == 1
    assert "clusters" not in report and all("cluster" not in f for f in report["findings"])


def test_snapshot_writes_one_file_per_cluster(fleet: Path, tmp_path: Path) -> None:
    out = tmp_path / "snap-{context}.json"
    result = CliRunner().invoke(app, ["snapshot", "--context", "east", "--context", "west",
                                      "-o", str(out), "--timeout", "3"])
    assert result.exit_code == 0, result.output
    saved = {p.name: json.loads(p.read_text()) for p in tmp_path.glob("snap-*.json")}
    assert sorted(saved) == ["snap-east.json", "snap-west.json"]
    assert saved["snap-west.json"]["source"]["context"] == "west"
    again = CliRunner().invoke(app, ["snapshot", "--all-contexts", "-o", str(out),
                                     "--timeout", "3"])
    assert again.exit_code == 2 and "gone" in again.output
    assert not (tmp_path / "snap-gone.json").exists()
    plain = CliRunner().invoke(app, ["snapshot", "--all-contexts", "-o",
                                     str(tmp_path / "one.json")])
    assert plain.exit_code == 2 and "{context}" in plain.output


def test_each_cluster_is_pushed_as_its_own_group(fleet: Path) -> None:
    from tests.pushgateway import pushgateway

    with pushgateway() as gateway:
        result = scan("--context", "east", "--context", "west", "--format", "json",
                      "--pushgateway", gateway.url)
    assert result.exit_code == 1, result.output
    paths = sorted(path for _, path, _ in gateway.received)
    assert paths == ["/metrics/job/kaudit/cluster/east", "/metrics/job/kaudit/cluster/west"]
    for _, path, body in gateway.received:
        families = {f.name: f for f in text_string_to_metric_families(body.decode())}
        stuck = sum(s.value for s in families["kaudit_findings"].samples
                    if s.labels["code"] == "FN001")
        assert stuck == (2 if path.endswith("west") else 1)


def test_snapshot_into_a_folder_names_files_by_context(fleet: Path, tmp_path: Path) -> None:
    folder = tmp_path / "snaps"
    folder.mkdir()
    result = CliRunner().invoke(app, ["snapshot", "--context", "west", "--context", "east",
                                      "-o", str(folder), "--timeout", "3"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["east.json.gz", "west.json.gz"]
    one = CliRunner().invoke(app, ["snapshot", "--context", "east", "-o", str(folder)])
    assert one.exit_code == 2 and ".json or .json.gz" in one.output


def test_the_fleet_report_names_the_config_as_one_cluster_does(
        fleet: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / ".kaudit.toml").write_text('[rules.stuck-deletion]\ngrace = "1h"\n')
    monkeypatch.chdir(checkout)
    one = json.loads(scan("--context", "east", "--format", "json").stdout)
    several = json.loads(scan("--context", "east", "--context", "west",
                              "--format", "json").stdout)
    assert one["config"]["discovered"] is True
    assert several["config"] == one["config"]
    table = scan("--context", "east", "--context", "west", "--fail-on", "never").stdout
    line = f"config: .kaudit.toml sha256:{one['config']['sha256']} (found by searching upwards)"
    assert table.count(line) == 2  # in the header of each cluster's section
    pinned = tmp_path / "gate.toml"
    pinned.write_text('fail-on = "error"\n')
    explicit = json.loads(scan("--context", "east", "--context", "west", "--config",
                               str(pinned), "--format", "json").stdout)
    assert explicit["config"] == {"path": str(pinned), "discovered": False,
                                  "sha256": hashlib.sha256(pinned.read_bytes()).hexdigest()}
    bare = json.loads(scan("--context", "east", "--context", "west", "--no-config",
                           "--format", "json").stdout)
    assert bare["config"] is None
