"""No Secret value leaves the process: known values are planted, raw and base64, in every place
a Secret (or any document) can carry them, and every output path is searched for them.

Output paths: ``scan`` in every format, ``explain``, ``graph`` in every format, ``diff`` (table
and JSON), a saved snapshot file, error messages (KA001, stderr) and ``--debug`` output; for a
live cluster, the metadata-only listing and ``kaudit snapshot``. Each planted value is unique,
so a failure names the place that leaked.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kaudit.cli import app, input_opts
from kaudit.graph.render import RENDERERS
from kaudit.report import FORMATTERS
from kaudit.snapshot.archive import snapshot_from, write_snapshot
from kaudit.snapshot.files import load_snapshot
from tests.live.apiserver import Resource
from tests.live.cluster import build_cluster, obj
from tests.live.conftest import StartLive, write_kubeconfig

PLANTS = {
    "data": "planted-data-value-A1",
    "string-data": "planted-string-data-B2",
    "last-applied": "planted-last-applied-C3",
    "kopf": "planted-kopf-handled-D4",
    "kapp": "planted-kapp-original-E5",
    "argocd": "planted-argocd-F6",
    "helm2": "planted-helm-release-G7",
    "any-annotation": "planted-any-annotation-H8",
    "managed-fields": "planted-managed-fields-I9",
    "unknown-field": "planted-misspelt-field-J0",
    "unknown-meta": "planted-unknown-meta-K1",
    "kong-key": "planted-kong-key-L2",
    "tag-in-secret": "planted-tag-in-secret-M3",
    "tag-in-configmap": "planted-tag-in-configmap-N4",
    "json-error": "planted-json-error-O5",
    "snapshot-secret": "planted-in-snapshot-P6",
    "changed-data": "planted-changed-data-Q7",
}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def forbidden() -> Iterator[tuple[str, str]]:
    for place, value in PLANTS.items():
        yield place, value
        yield f"{place} (base64)", b64(value)
        yield f"{place} (base64, unpadded)", b64(value).rstrip("=")


def assert_clean(text: str, where: str) -> None:
    leaked = [place for place, value in forbidden() if value in text]
    assert not leaked, f"{where} shows Secret values planted in: {leaked}"


def secret(name: str, *, data: dict[str, str], extra: str = "") -> str:
    p = PLANTS
    last_applied = json.dumps({"data": {"password": b64(p["data"])},
                               "stringData": {"token": p["last-applied"]}})
    return f"""\
apiVersion: v1
kind: Secret
metadata:
  name: {name}
  namespace: consumers
  labels: {{konghq.com/credential: key-auth}}
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{last_applied}'
    kopf.zalando.org/last-handled-configuration: '{{"data": "{p["kopf"]}"}}'
    kapp.k14s.io/original: '{{"data": {{"k": "{b64(p["kapp"])}"}}}}'
    argocd.argoproj.io/compare-options: {p["argocd"]}
    helm.sh/release-data: {b64(p["helm2"])}
    example.com/anything: {p["any-annotation"]}
    ignore.kaudit.io/object-size-limit: "kept in clear: a reason a person wrote"
  managedFields:
  - manager: kubectl
    operation: Apply
    fieldsV1: {{"f:data": {{"f:password": {{}}}}, 'v:"{p["managed-fields"]}"': {{}}}}
  someUnknownField: {p["unknown-meta"]}
type: Opaque
data: {json.dumps(data)}
stringData: {{token: {p["string-data"]}}}
stringdata: {{token: {p["unknown-field"]}}}
{extra}"""


CONSUMERS = """\
---
apiVersion: configuration.konghq.com/v1
kind: KongConsumer
metadata: {name: alice, namespace: consumers, annotations: {kubernetes.io/ingress.class: kong}}
username: alice
credentials: [planted]
---
apiVersion: configuration.konghq.com/v1
kind: KongConsumer
metadata: {name: bob, namespace: consumers, annotations: {kubernetes.io/ingress.class: kong}}
username: bob
credentials: [planted-twin]
---
apiVersion: v1
kind: Pod
metadata: {name: uses-it, namespace: consumers}
spec:
  containers: [{name: c, image: x, envFrom: [{secretRef: {name: planted}}]}]
"""

BROKEN = f"""\
apiVersion: v1
kind: Secret
metadata: {{name: broken, namespace: consumers}}
stringData:
  token: !{PLANTS["tag-in-secret"]} x
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: broken-cm, namespace: consumers}}
data:
  password: !{PLANTS["tag-in-configmap"]}
"""


@pytest.fixture
def planted(tmp_path: Path) -> dict[str, Path]:
    """Two observations of the same planted objects (the second with a changed value)."""
    before, after = tmp_path / "before", tmp_path / "after"
    for folder, value in ((before, PLANTS["data"]), (after, PLANTS["changed-data"])):
        folder.mkdir()
        data = {"password": b64(value), "key": b64(PLANTS["kong-key"])}
        (folder / "secret.yaml").write_text(
            secret("planted", data=data) + "---\n"
            + secret("planted-twin", data={"key": b64(PLANTS["kong-key"])}) + CONSUMERS)
        (folder / "broken.yaml").write_text(BROKEN)
        (folder / "broken.json").write_text(
            '{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "j"}, '
            f'"data": {{"a": "{PLANTS["json-error"]}" "b": 1}}}}')
        (folder / "saved.json").write_text(json.dumps({
            "kind": "KauditSnapshot", "version": 1, "capturedAt": None,
            "items": [{"apiVersion": "v1", "kind": "Secret",
                       "metadata": {"name": "from-snapshot", "namespace": "consumers"},
                       "data": {"v": b64(PLANTS["snapshot-secret"])}}]}))
    return {"before": before, "after": after, "tmp": tmp_path}


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code in (0, 1), (args, result.output, result.exception)
    return result


def test_no_planted_value_reaches_any_output(planted: dict[str, Path]) -> None:
    before, after = str(planted["before"]), str(planted["after"])
    now = ("--now", "2024-06-01T00:00:00Z")
    outputs: dict[str, str] = {}
    for fmt in FORMATTERS:
        result = invoke("scan", before, "--format", fmt, "--debug", *now)
        outputs[f"scan --format {fmt}"] = result.stdout + result.stderr
    report = json.loads(outputs["scan --format json"].partition("\n}\n")[0] + "\n}")
    codes = {f["code"] for f in report["findings"]}
    # The attacks were seen (errors reported, digests compared), not silently dropped.
    assert {"KA001", "UQ103"} <= codes
    messages = [f["message"] for f in report["findings"] if f["code"] == "KA001"]
    assert any("could not determine a constructor for the tag" in m for m in messages)
    for name in ("Secret/planted", "Pod/uses-it"):
        result = invoke("explain", name, "-n", "consumers", before)
        outputs[f"explain {name}"] = result.stdout + result.stderr
    for fmt in RENDERERS:
        result = invoke("graph", before, "--format", fmt)
        outputs[f"graph --format {fmt}"] = result.stdout + result.stderr
    for fmt in ("table", "json"):
        result = invoke("diff", before, after, "--format", fmt)
        outputs[f"diff --format {fmt}"] = result.stdout + result.stderr
    assert "/data/password" in outputs["diff --format json"]  # the change is shown, not its value
    saved = planted["tmp"] / "saved-again.json"
    write_snapshot(snapshot_from(load_snapshot([before])), saved)
    outputs["snapshot file"] = saved.read_text()
    for where, text in outputs.items():
        assert_clean(text, where)
    # Parsed objects, the thing every output is made from, hold no value either.
    assert_clean(json.dumps([o.raw for o in load_snapshot([before]).objects]), "snapshot")


def test_debug_tracebacks_of_a_crashing_rule_show_no_value(planted: dict[str, Path],
                                                           tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "crash.py").write_text(
        "from kaudit.rules import Family, Rule, Severity\n\n\n"
        "class Crash(Rule):\n"
        '    """Crashes on purpose, with the Secret\'s data in its exception."""\n\n'
        '    code = "ZZ901"\n    name = "crash-with-data"\n    family = Family.STATUS\n'
        "    severity = Severity.ERROR\n\n"
        "    def check(self, ctx):\n"
        "        for obj in ctx.objects():\n"
        '            if obj.kind == "Secret":\n'
        "                raise RuntimeError(repr(obj.raw))\n"
        "        return iter(())\n")
    result = CliRunner().invoke(app, ["scan", str(planted["before"]), "--rules-dir", str(rules),
                                      "--debug", "--format", "json"])
    assert result.exit_code == 3
    assert "RuntimeError" in result.stderr
    assert_clean(result.stdout + result.stderr, "--debug traceback")


def test_live_metadata_listing_and_snapshot_digest_every_annotation(
        start_live: StartLive, tmp_path: Path) -> None:
    cluster = build_cluster()
    annotations = {
        "kubectl.kubernetes.io/last-applied-configuration":
            json.dumps({"data": {"password": b64(PLANTS["data"])}}),
        "kopf.zalando.org/last-handled-configuration": PLANTS["kopf"],
        "kapp.k14s.io/original": PLANTS["kapp"],
        "example.com/anything": PLANTS["any-annotation"],
    }
    secrets = next(r for r in cluster.resources if r.plural == "secrets")
    secrets.objects.append(obj("v1", "Secret", "annotated", "shop", type="Opaque",
                               metadata={"annotations": annotations},
                               data={"password": b64(PLANTS["data"])}))
    assert isinstance(secrets, Resource)
    live = start_live(cluster)
    result = live.scan("--debug")
    assert result.exit_code in (0, 1), result.output
    assert_clean(result.stdout + result.stderr, "live scan")
    out = tmp_path / "live.json"
    snap = CliRunner().invoke(app, ["snapshot", "--context", live.context, "-o", str(out)])
    assert snap.exit_code == 0, snap.output
    assert_clean(out.read_text() + snap.output, "kaudit snapshot")
    saved = {i["metadata"]["name"]: i for i in json.loads(out.read_text())["items"]}
    assert set(saved["annotated"]["metadata"]["annotations"]) == set(annotations)


def test_team_key_makes_snapshots_comparable_and_says_when_they_are_not(
        planted: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = str(planted["before"])
    runs: dict[str, Path] = {}
    for name, key in (("team-1", "a" * 32), ("team-2", "a" * 32), ("other", "b" * 32)):
        monkeypatch.setenv("KAUDIT_DIGEST_KEY", key)
        runs[name] = tmp_path / f"{name}.json"
        input_opts.configure_run(digest_key_file=None, max_input_bytes=None,
                                 follow_symlinks=False)
        write_snapshot(snapshot_from(load_snapshot([before])), runs[name])
    monkeypatch.delenv("KAUDIT_DIGEST_KEY")
    same = json.loads(invoke("diff", str(runs["team-1"]), str(runs["team-2"]),
                             "--format", "json").stdout)
    assert same["summary"]["changed"] == 0 and "notComparable" not in same["summary"]
    other = json.loads(invoke("diff", str(runs["team-1"]), str(runs["other"]),
                              "--format", "json").stdout)
    # Different keys: no value is called changed (or equal); each is counted as unknown.
    assert other["summary"]["changed"] == 0
    assert other["summary"]["notComparable"] > 0
    table = invoke("diff", str(runs["team-1"]), str(runs["other"])).stdout
    assert "not comparable" in table
    assert os.environ.get("KAUDIT_DIGEST_KEY") is None


def test_credentials_in_a_kubeconfig_server_url_are_never_echoed(tmp_path: Path) -> None:
    server = "http://alice:PLANTED-PW@127.0.0.1:9/prefix?token=PLANTED-TOKEN#PLANTED-FRAG"
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", server, context="leaky")
    for command in (["scan", "--format", "json"], ["snapshot", "-o", str(tmp_path / "s.json")],
                    ["explain", "Pod/x"], ["graph"]):
        result = CliRunner().invoke(app, [*command, "--kubeconfig", str(kubeconfig),
                                          "--timeout", "1"])
        assert result.exit_code == 2, result.output
        assert "127.0.0.1:9/prefix" in result.output  # the server is named…
        assert "PLANTED" not in result.output  # …without what it should never have carried


def test_output_is_byte_identical_across_runs_with_their_own_keys(
        planted: dict[str, Path]) -> None:
    """Every run digests under a new random key; no digest may reach output, or the same
    input would stop giving the same bytes."""
    before, after = str(planted["before"]), str(planted["after"])
    now = ("--now", "2024-06-01T00:00:00Z")
    for command in (["scan", before, "--format", "json", *now],
                    ["scan", before, "--format", "table", *now],
                    ["graph", before, "--format", "json"],
                    ["explain", "Secret/planted", "-n", "consumers", before, "--format", "json",
                     *now],
                    ["diff", before, after, "--format", "json"]):
        first, second = invoke(*command).stdout, invoke(*command).stdout
        assert first == second, command
