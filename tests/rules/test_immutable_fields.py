"""SC008's knowledge and its merge-aware diff: what an apply would change in a live object."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from kaudit.graph import build_graph
from kaudit.rules import NoOptions, RuleContext
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.timeutil import parse_time
from kaudit_rules.schema.apply_diff import MISSING, Policy, diff, dotted, quantity, resolve
from kaudit_rules.schema.immutable_field_change import DATA, ImmutableFieldChange, table

NOW = parse_time("2024-06-01T12:00:00Z")


def test_every_entry_cites_upstream_and_says_what_to_do() -> None:
    docs = [d for d in yaml.safe_load(DATA.read_text()) if "recreatedBy" not in d]
    assert len(docs) >= 14
    for doc in docs:
        assert doc["source"] and doc["serverSays"] and doc["recreate"], doc["kind"]
        assert bool(doc.get("fields")) != bool(doc.get("allExcept")), doc["kind"]
        for pointer in [*doc.get("fields", ()), *doc.get("allExcept", ()),
                        *doc.get("increaseOnly", ()), *doc.get("defaults", {})]:
            assert pointer.startswith("/"), (doc["kind"], pointer)
    kinds = {(g, k) for g, k in table()}
    for needed in [("apps", "Deployment"), ("apps", "StatefulSet"), ("batch", "Job"),
                   ("rbac.authorization.k8s.io", "ClusterRoleBinding"), ("", "Service"),
                   ("", "PersistentVolumeClaim"), ("storage.k8s.io", "StorageClass"),
                   ("", "ConfigMap"), ("", "Secret"),
                   ("apiextensions.k8s.io", "CustomResourceDefinition")]:
        assert needed in kinds


@pytest.mark.parametrize(("text", "value"), [
    ("1Gi", Decimal(2**30)), ("500m", Decimal("0.5")), ("0.5", Decimal("0.5")),
    ("1e3", Decimal(1000)), ("10240Mi", Decimal(10 * 2**30)), (3, Decimal(3)),
    ("abc", None), ("1Gb", None), (True, None),
])
def test_quantity(text: object, value: Decimal | None) -> None:
    assert quantity(text) == value


def test_merge_semantics() -> None:
    policy = Policy()
    live = {"a": 1, "b": {"c": "x", "d": "defaulted"}, "e": "set-before"}
    # absent in the manifest and never applied: kept, not a change
    assert list(diff({"a": 1}, live, MISSING, "", policy)) == []
    # absent now, but the previous apply set it: the apply removes it
    removed = list(diff({"a": 1}, live, {"a": 1, "e": "set-before"}, "", policy))
    assert [(c.pointer, c.how) for c in removed] == [("/e", "removes")]
    # a sub-map is contained in the live one (server defaults): no change
    assert list(diff({"b": {"c": "x"}}, live, MISSING, "", policy)) == []
    changed = list(diff({"b": {"c": "y"}}, live, MISSING, "", policy))
    assert [(c.pointer, c.live, c.manifest) for c in changed] == [("/b/c", "x", "y")]
    # lists of another length change as a whole
    assert [c.pointer for c in diff({"l": [1]}, {"l": [1, 2]}, MISSING, "", policy)] == ["/l"]
    # an explicit null is no opinion (Helm renders them for "not set")
    assert list(diff({"a": None}, live, MISSING, "", policy)) == []


def test_defaults_exemptions_and_quantities() -> None:
    policy = Policy(exempt=("/spec/replicas",), defaults={"/spec/mode": "Auto"},
                    settable_once=frozenset({"/spec/ip"}))
    live = {"spec": {"replicas": 1, "ip": "", "res": {"requests": {"cpu": "500m"}}}}
    manifest = {"spec": {"replicas": 9, "mode": "Auto", "ip": "10.0.0.1",
                         "res": {"requests": {"cpu": "0.5"}}}}
    assert list(diff(manifest["spec"], live["spec"], MISSING, "/spec", policy)) == []
    manifest["spec"]["mode"] = "Manual"
    assert [c.how for c in diff(manifest["spec"], live["spec"], MISSING, "/spec", policy)] \
        == ["adds"]


def test_pointers() -> None:
    assert resolve({"a": [{"b/c": 1}]}, "/a/0/b~1c") == 1
    assert resolve({"a": []}, "/a/0") is MISSING
    assert dotted("/spec/selector/matchLabels/app.kubernetes.io~1name") == \
        "spec.selector.matchLabels['app.kubernetes.io/name']"
    assert dotted("/spec/volumeClaimTemplates/0/spec") == "spec.volumeClaimTemplates[0].spec"


def _run(manifests: list[dict], live: list[dict] | None) -> list[str]:
    snapshot = Snapshot.build([KubeObject(m) for m in manifests])
    against = Snapshot.build([KubeObject(m) for m in live]) if live is not None else None
    ctx = RuleContext(snapshot, build_graph(snapshot), NoOptions(), NOW, against=against)
    return [f.pointer for f in ImmutableFieldChange().check(ctx)]


def _deploy(labels: dict[str, str], api_version: str = "apps/v1") -> dict:
    return {"apiVersion": api_version, "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"selector": {"matchLabels": labels}}}


def test_silent_without_against_and_for_versions_with_mutable_selectors() -> None:
    assert _run([_deploy({"app": "b"})], None) == []
    assert _run([_deploy({"app": "b"})], [_deploy({"app": "a"})]) == \
        ["/spec/selector/matchLabels/app"]
    # apps/v1beta1 defaulted and allowed changing the selector
    assert _run([_deploy({"app": "b"}, "apps/v1beta1")], [_deploy({"app": "a"})]) == []


def test_objects_their_tool_recreates_are_not_checked() -> None:
    hook = _deploy({"app": "b"})
    hook["metadata"]["annotations"] = {"argocd.argoproj.io/sync-options": "Replace=true"}
    assert _run([hook], [_deploy({"app": "a"})]) == []


def test_secret_values_read_as_metadata_only_are_not_judged() -> None:
    manifest = {"apiVersion": "v1", "kind": "Secret", "immutable": True,
                "metadata": {"name": "s", "namespace": "a"}, "stringData": {"k": "v2"},
                "type": "kubernetes.io/tls"}
    live = {"apiVersion": "v1", "kind": "Secret", "immutable": True,
            "metadata": {"name": "s", "namespace": "a"}}
    assert _run([manifest], [live]) == []
