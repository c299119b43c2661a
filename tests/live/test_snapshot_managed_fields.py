"""A saved snapshot is the same audit as the live scan, for the rules that read managedFields
(ST003, ST005, ST006): ``kaudit snapshot`` keeps what they need of ``metadata.managedFields``."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.snapshot.managed import FULL_ABOVE_BYTES
from tests.conftest import FIXTURES
from tests.live.apiserver import Cluster, Resource
from tests.live.conftest import StartLive
from tests.live.test_snapshot_cmd import snapshot, without_sources

NOW = "2024-06-01T12:00:00Z"
RULES = ("ST003-stale-observed-generation", "ST006-kopf-unhandled-change")


def _big_config_map() -> dict[str, Any]:
    """Over ST005's object threshold because of its managedFields: compacting them would
    shrink it below and lose the finding."""
    fields = {f"f:key-{i:05d}": {} for i in range(70_000)}
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "flag-heavy-history", "namespace": "shop",
                         "managedFields": [{"manager": "sync", "operation": "Apply",
                                            "time": "2024-06-01T10:00:00Z",
                                            "fieldsType": "FieldsV1",
                                            "fieldsV1": {"f:data": fields}}]},
            "data": {"blob": "x" * 200_000}}


def _cluster() -> Cluster:
    objects: list[dict[str, Any]] = [_big_config_map()]
    for rule in RULES:
        for name in ("flag.yaml", "healthy.yaml"):
            objects += [d for d in yaml.safe_load_all((FIXTURES / "rules" / rule / name)
                                                      .read_text()) if d]
    by_type: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for item in objects:
        item["metadata"].setdefault("uid", f"uid-{item['metadata']['name']}")
        by_type[(item["apiVersion"], item["kind"])].append(item)
    resources = []
    for (api_version, kind), items in sorted(by_type.items()):
        group, _, version = api_version.rpartition("/")
        resources.append(Resource(group, version, kind.lower() + "s", kind,
                                  "namespace" in items[0]["metadata"], items))
    return Cluster(resources=resources)


def test_snapshot_scan_equals_live_scan_over_managed_fields(start_live: StartLive,
                                                            tmp_path: Path) -> None:
    live = start_live(_cluster())
    out = tmp_path / "cluster.json"
    assert snapshot(live, out).exit_code == 0
    args = ["--now", NOW, "--select", "ST003,ST005,ST006"]
    online = live.report(*args)
    offline = json.loads(CliRunner().invoke(app, ["scan", str(out), "--format", "json",
                                                  *args]).stdout)
    assert without_sources(offline) == without_sources(online)
    found = {(f["code"], f["severity"], f["object"]["name"]) for f in online["findings"]}
    # Each rule's managedFields-dependent verdict is present, so the comparison means something.
    assert {("ST003", "warning", "flag-deployment"), ("ST003", "warning", "flag-gateway"),
            ("ST005", "warning", "flag-heavy-history"),
            ("ST006", "warning", "flag-spec-changed")} <= found

    # The snapshot is leaner than the cluster: small objects keep the compact form only.
    items = {i["metadata"]["name"]: i for i in json.loads(out.read_text())["items"]}
    topic = items["flag-spec-changed"]["metadata"]["managedFields"]
    assert topic[0] == {"apiVersion": "example.org/v1", "fieldsType": "FieldsV1",
                        "fieldsV1": {"f:metadata": {"f:annotations": {
                            "f:kopf.zalando.org/last-handled-configuration": {}}}},
                        "manager": "kopf", "operation": "Update", "time": "2024-05-20T09:00:00Z"}
    assert "fieldsV1" not in topic[1]  # a status write: only who and when
    heavy = items["flag-heavy-history"]
    assert len(json.dumps(heavy)) > FULL_ABOVE_BYTES
    assert heavy["metadata"]["managedFields"][0]["fieldsV1"]["f:data"]  # kept whole


def test_dropping_managed_fields_would_change_the_verdicts(start_live: StartLive,
                                                           tmp_path: Path) -> None:
    """The guard on the test above: without managedFields the findings do differ."""
    live = start_live(_cluster())
    args = ["--now", NOW, "--select", "ST003,ST005,ST006"]
    online = {(f["code"], f["severity"], f["object"]["name"])
              for f in live.report(*args)["findings"]}
    dump = tmp_path / "dump.json"
    out = tmp_path / "full.json"
    assert snapshot(live, out, "--keep-managed-fields").exit_code == 0
    doc = json.loads(out.read_text())
    for item in doc["items"]:
        item["metadata"].pop("managedFields", None)
    dump.write_text(json.dumps(doc))
    stripped = json.loads(CliRunner().invoke(app, ["scan", str(dump), "--format", "json",
                                                   *args]).stdout)
    assert {(f["code"], f["severity"], f["object"]["name"])
            for f in stripped["findings"]} != online
