"""``kaudit.diff``: per-object JSON patches between two snapshots."""

from __future__ import annotations

from typing import Any

import jsonpatch

from kaudit.diff import diff_snapshots
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.snapshot.digest import SHOWN
from kaudit.snapshot.redact import redact_secret


def snap(*objects: dict[str, Any]) -> Snapshot:
    return Snapshot.build([KubeObject(o) for o in objects])


def cm(name: str, data: dict[str, str], uid: str = "u1", rv: str = "1") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "shop", "uid": uid, "resourceVersion": rv},
            "data": data}


def test_changed_object_patch_turns_before_into_after() -> None:
    before, after = cm("a", {"x": "1", "y": "2"}), cm("a", {"x": "1", "z": "3"}, rv="9")
    result = diff_snapshots(snap(before), snap(after)).to_json()
    [change] = result["objects"]
    assert change["change"] == "changed"
    expected = {k: v for k, v in after.items()}
    expected["metadata"] = {k: v for k, v in after["metadata"].items() if k != "resourceVersion"}
    stripped = dict(before, metadata={k: v for k, v in before["metadata"].items()
                                      if k != "resourceVersion"})
    assert jsonpatch.apply_patch(stripped, change["patch"]) == expected
    assert sorted(op["path"] for op in change["patch"]) == ["/data/y", "/data/z"]


def test_resource_version_alone_is_not_a_change_unless_asked() -> None:
    before, after = cm("a", {"x": "1"}, rv="1"), cm("a", {"x": "1"}, rv="2")
    assert diff_snapshots(snap(before), snap(after)).to_json()["summary"]["unchanged"] == 1
    full = diff_snapshots(snap(before), snap(after), keep_volatile=True).to_json()
    assert full["objects"][0]["patch"] == [
        {"op": "replace", "path": "/metadata/resourceVersion", "value": "2"}]


def test_added_removed_recreated_and_unobserved() -> None:
    deploy = {"apiVersion": "apps/v1", "kind": "Deployment",
              "metadata": {"name": "d", "namespace": "shop"}}
    result = diff_snapshots(
        snap(cm("gone", {}), cm("again", {}, uid="old"), deploy),
        snap(cm("new", {}), cm("again", {}, uid="new")),
    ).to_json()
    assert [(o["object"]["name"], o["change"]) for o in result["objects"]] == [
        ("again", "recreated"), ("gone", "removed"), ("new", "added")]
    # The later snapshot read no Deployments: the Deployment is not reported removed.
    assert result["summary"]["unobserved"] == 1


def test_secret_values_only_ever_appear_as_digests() -> None:
    def secret(value: str) -> dict[str, Any]:
        return redact_secret({"apiVersion": "v1", "kind": "Secret",
                              "metadata": {"name": "s", "namespace": "shop", "uid": "u"},
                              "data": {"password": value}})
    result = diff_snapshots(snap(secret("aHVudGVyMg==")), snap(secret("czNjcjN0IQ=="))).to_json()
    [op] = result["objects"][0]["patch"]
    assert op == {"op": "replace", "path": "/data/password", "value": SHOWN}
    assert "hunter2" not in str(result) and "aHVudGVyMg" not in str(result)
    assert "s3cr3t" not in str(result) and "czNjcjN0IQ" not in str(result)


def test_same_input_same_output_regardless_of_key_order() -> None:
    one = cm("a", {"x": "1", "y": "2"})
    two = cm("a", {"y": "3", "x": "4"})
    reordered = dict(reversed(list(two.items())))
    assert diff_snapshots(snap(one), snap(two)).to_json() == \
        diff_snapshots(snap(one), snap(reordered)).to_json()
