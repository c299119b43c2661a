"""The declarative ``UniqueConstraint`` format: users' packs from ``--rules-dir``, the field
paths, the scopes, and the promise never to show a Secret value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.rules.registry import RuleLoadError, load_catalogue, rules_from_yaml
from kaudit_rules.unique.fields import joint, parse_path
from tests.audit import audit
from tests.conftest import FIXTURES

PACK = FIXTURES / "rules-dirs/unique-pack"
PAYMENTS = str(FIXTURES / "inputs/payments.yaml")

VALID = """\
kind: UniqueConstraint
code: XX501
name: team-id
severity: warning
summary: Two ConfigMaps share a team id.
why: |
  Team ids must be unique.
  Fix: rename one.
kinds: [{group: "", kind: ConfigMap}]
key: [{label: example.com/team-id}]
scope: cluster
"""


def test_a_user_pack_from_rules_dir_loads_and_fires_without_showing_the_secret() -> None:
    result = CliRunner().invoke(app, ["scan", PAYMENTS, "--rules-dir", str(PACK), "--format",
                                      "json", "--select", "XP101"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert [(f["object"]["name"], f["severity"], f["message"], [r["name"] for r in f["related"]])
            for f in report["findings"]] == [(
                "us-gateway", "error",
                'API key: same value (digest match) as in Secret payments/eu-gateway, with the '
                'same provider "stripe", in namespace payments; two gateways settle against one '
                "account",
                ["eu-gateway"])]
    assert "very-secret" not in result.stdout
    assert "c2stbGl2ZS0wMDAwLXZlcnktc2VjcmV0" not in result.stdout
    assert "sha256:" not in result.stdout


def test_the_rule_kind_is_registered_as_an_entry_point() -> None:
    rules = rules_from_yaml(PACK / "payments.yaml")
    assert [(r.code, r.name, r.severity.value) for r in rules] == [
        ("XP101", "payment-account-shared", "error")]
    assert rules[0].summary() == ("Two payment-provider Secrets in one namespace hold the same "
                                  "API key.")
    assert "Fix: issue a separate API key" in rules[0].documentation()
    assert load_catalogue([PACK]).origins["XP101"] == str(PACK / "payments.yaml")


@pytest.mark.parametrize(("change", "error"), [
    (("Fix: rename one.", "Rename one."), "Fix:"),
    (("XX501", "X501"), "two capital letters"),
    (("scope: cluster", "scope: galaxy"), "scope.type"),
    (("key: [{label: example.com/team-id}]", "key: [{label: a, annotation: b}]"),
     "exactly one of"),
    (("scope: cluster", "scope: cluster\nunknwn: 1"), "unknown key(s) unknwn"),
    (("kinds: [{group: \"\", kind: ConfigMap}]", "kinds: []"), "kinds must be"),
])
def test_invalid_documents_are_usage_errors_that_say_what_is_wrong(
        tmp_path: Path, change: tuple[str, str], error: str) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(VALID.replace(*change))
    with pytest.raises(RuleLoadError) as info:
        rules_from_yaml(path)
    assert error in str(info.value)
    assert str(path) in str(info.value)


def test_paths_walk_shared_lists_together() -> None:
    ingress = {"spec": {"rules": [
        {"host": "a.example.com", "http": {"paths": [{"path": "/x"}, {"path": "/y"}]}},
        {"http": {"paths": [{"path": "/z", "pathType": "Exact"}]}},
    ]}}
    paths = [parse_path(p) for p in ("spec.rules[*].host", "spec.rules[*].http.paths[*].pathType",
                                     "spec.rules[*].http.paths[*].path")]
    values = [v for v, _ in joint(ingress, paths, ["*", "ImplementationSpecific", None])]
    assert values == [("a.example.com", "ImplementationSpecific", "/x"),
                      ("a.example.com", "ImplementationSpecific", "/y"),
                      ("*", "Exact", "/z")]
    assert parse_path('metadata.annotations["crossplane.io/external-name"]') == (
        "metadata", "annotations", "crossplane.io/external-name")


def test_unclassed_objects_join_the_default_class_only_when_one_is_marked(
        tmp_path: Path) -> None:
    consumers = "".join(
        f"---\napiVersion: configuration.konghq.com/v1\nkind: KongConsumer\nmetadata:\n"
        f"  name: {name}\n  namespace: ns\n{ann}username: same\n"
        for name, ann in (("classed", "  annotations: {kubernetes.io/ingress.class: kong}\n"),
                          ("unclassed", "")))
    default_kong = ("apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n"
                    "  name: kong\n  annotations: {ingressclass.kubernetes.io/is-default-class: "
                    '"true"}\n')
    not_default = "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: kong\n"

    def names(*docs: str) -> list[str]:
        path = tmp_path / "in.yaml"
        path.write_text("\n---\n".join(docs))
        return [f["object"]["name"] for f in audit([str(path)], select=["UQ101"])["findings"]]

    assert names(default_kong, consumers) == ["unclassed"]
    # kong is not the default: KIC ignores the unclassed consumer, so there is no conflict.
    assert names(not_default, consumers) == []
    # No IngressClass in the inputs: the default is unknown; unclassed objects meet only
    # each other.
    assert names(consumers) == []
