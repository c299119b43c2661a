"""Keyed Secret digests and what a Secret keeps in clear."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.snapshot import digest
from kaudit.snapshot.redact import redact_secret
from kaudit.snapshot.yamlparse import DocumentError, RawDocument, parse_document


@pytest.fixture(autouse=True)
def fresh_key() -> Iterator[None]:
    digest.use_key(None)
    yield
    digest.use_key(None)


def test_equal_values_compare_equal_within_a_run_and_guessing_does_not_work() -> None:
    secret = redact_secret({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                            "data": {"a": base64.b64encode(b"x").decode()},
                            "stringData": {"b": "x"}})
    first = secret["data"]["a"]
    assert first == secret["stringData"]["b"]
    assert digest.is_digest(first) and digest.key_id(first) == digest.current().key_id
    # The unkeyed digest of "x" (what snapshots held before) is not in it.
    assert hashlib.sha256(b"x").hexdigest() not in first
    digest.use_key(None)  # the next run
    assert digest.current().digest(b"x") != first


def test_a_team_key_gives_the_same_digest_in_every_run(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("0123456789abcdef0123456789abcdef\n")
    digest.use_key(digest.key_from(key_file, environ={}))
    one = digest.current().digest(b"x")
    digest.use_key(digest.key_from(None, environ={"KAUDIT_DIGEST_KEY":
                                                  "0123456789abcdef0123456789abcdef"}))
    assert digest.current().digest(b"x") == one
    assert digest.current().shared
    assert digest.key_from(None, environ={}) is None


def test_short_or_missing_keys_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(digest.DigestKeyError, match="at least 16"):
        digest.key_from(None, environ={"KAUDIT_DIGEST_KEY": "short"})
    with pytest.raises(digest.DigestKeyError, match="cannot read"):
        digest.key_from(tmp_path / "missing", environ={})
    result = CliRunner().invoke(app, ["scan", "x"], env={"KAUDIT_DIGEST_KEY": "short"})
    assert result.exit_code == 2 and "at least 16" in result.output


def test_comparable_only_under_one_key() -> None:
    mine = digest.current().digest(b"x")
    theirs = digest.Digester.random().digest(b"x")
    legacy = "sha256:" + hashlib.sha256(b"x").hexdigest()
    assert digest.comparable(mine, digest.current().digest(b"y"))
    assert not digest.comparable(mine, theirs)
    assert not digest.comparable(mine, legacy)
    assert digest.comparable(legacy, "sha256:" + "0" * 64)
    assert digest.key_id(legacy) == "unkeyed" and digest.key_id("sha256:xyz") is None


def test_redaction_is_idempotent_and_keeps_old_digests() -> None:
    legacy = "sha256:" + "a" * 64
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
              "data": {"old": legacy, "new": "aGk="}}
    once = redact_secret(secret)["data"].copy()
    assert once["old"] == legacy
    assert redact_secret(secret)["data"] == once


def test_every_place_a_secret_carries_values_is_digested() -> None:
    secret = redact_secret({
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque", "immutable": True,
        "metadata": {
            "name": "s", "namespace": "ns", "uid": "u", "labels": {"app": "web"},
            "finalizers": ["x/y"], "ownerReferences": [{"kind": "A", "name": "a", "uid": "1"}],
            "annotations": {
                "kopf.zalando.org/last-handled-configuration": "value",
                "kapp.k14s.io/original": "value",
                "kubernetes.io/service-account.name": "builder",
                "ignore.kaudit.io/object-size-limit": "reviewed",
                "anything/else": "value",
            },
            "managedFields": [{"manager": "kubectl", "operation": "Apply",
                               "fieldsV1": {"f:data": {"f:password": {}}}, "extra": "value"},
                              "not-an-entry"],
            "unknownMeta": "value",
        },
        "stringdata": {"password": "value"},
        "data": {"n": 5},
    })
    meta = secret["metadata"]
    kept = {"name": "s", "namespace": "ns", "uid": "u", "labels": {"app": "web"},
            "finalizers": ["x/y"], "ownerReferences": [{"kind": "A", "name": "a", "uid": "1"}]}
    assert {k: meta[k] for k in kept} == kept
    assert secret["type"] == "Opaque" and secret["immutable"] is True
    annotations = meta["annotations"]
    assert annotations["kubernetes.io/service-account.name"] == "builder"
    assert annotations["ignore.kaudit.io/object-size-limit"] == "reviewed"
    digested = [annotations["kopf.zalando.org/last-handled-configuration"],
                annotations["kapp.k14s.io/original"], annotations["anything/else"],
                meta["managedFields"][0]["fieldsV1"], meta["managedFields"][0]["extra"],
                meta["managedFields"][1], meta["unknownMeta"], secret["stringdata"],
                secret["data"]["n"]]
    assert all(digest.is_digest(d) for d in digested), digested
    assert meta["managedFields"][0]["manager"] == "kubectl"


@pytest.mark.parametrize("text", [
    "kind: Secret\nstringData:\n  password: !s3cr3t-value x\n",
    "kind: ConfigMap\ndata:\n  password: !s3cr3t-value\n",
    "kind: ConfigMap\ndata: {a: 's3cr3t-value' 'b'}\n",
    "kind: ConfigMap\ndata:\n  a: *s3cr3t-value\n",
    '{"kind": "Secret", "data": {"a": "s3cr3t-value" "b": 1}}',
    "kind: ConfigMap\ndata: {? [s3cr3t-value]: x}\n",
])
def test_parse_errors_name_line_and_column_never_the_text(text: str) -> None:
    with pytest.raises(DocumentError) as error:
        parse_document(RawDocument(text, 10))
    assert "s3cr3t" not in error.value.message
    assert error.value.line >= 10
