"""Kopf's essence, as ``kopf/_cogs/configs/diffbase.py`` builds it."""

from __future__ import annotations

import json

from kaudit_rules.status.kopf_essence import (
    build_essence,
    differing_paths,
    extra_fields,
    marked_prefixes,
    progress_records,
)

BODY = {
    "apiVersion": "example.org/v1", "kind": "Thing",
    "metadata": {
        "name": "t", "uid": "u", "resourceVersion": "7", "labels": {"app": "a"},
        "annotations": {
            "team": "x",
            "kubectl.kubernetes.io/last-applied-configuration": "{}",
            "kopf.zalando.org/last-handled-configuration": "{}",
            "sub.kopf.zalando.org/progress": "{}",
            "other.io/kopf-managed": "yes",
            "other.io/last-handled-configuration": "{}",
        },
    },
    "spec": {"size": 3},
    "status": {"items": [1, 2], "phase": "Ok", "nested": {"a": 1, "b": 2}},
}


def test_essence_drops_system_fields_and_kopf_and_kubectl_annotations() -> None:
    assert build_essence(BODY, []) == {
        "spec": {"size": 3},
        "metadata": {"labels": {"app": "a"}, "annotations": {"team": "x"}},
    }


def test_marked_prefixes_follow_kopf() -> None:
    assert marked_prefixes(BODY["metadata"]["annotations"]) == frozenset(
        {"kopf.zalando.org", "sub.kopf.zalando.org", "other.io"})


def test_handler_fields_are_read_from_the_stored_essence() -> None:
    stored = {"spec": {"size": 3}, "status": {"items": [1], "nested": {"a": 1}}}
    fields = extra_fields(stored)
    assert fields == [("status", "items"), ("status", "nested", "a")]
    current = build_essence(BODY, fields)
    assert current["status"] == {"items": [1, 2], "nested": {"a": 1}}
    assert differing_paths(stored, current) == ["/metadata", "/status/items"]


def test_progress_records_only_under_the_operator_prefix() -> None:
    body = {"metadata": {"annotations": {
        "kopf.zalando.org/h1": json.dumps({"started": "x", "retries": 2}),
        "kopf.zalando.org/last-handled-configuration": json.dumps({"spec": {}}),
        "other.io/h2": json.dumps({"started": "x"}),
    }}, "status": {"kopf": {"progress": {"h3": {"retries": 0}}}}}
    assert sorted(progress_records(body)) == ["h1", "h3"]
