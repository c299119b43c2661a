"""Shared strings change no value: only how many copies of it the process holds."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import yaml

from kaudit.snapshot.interning import share_strings, with_shared_keys


def _pod(i: int) -> dict[str, Any]:
    text = f"""
apiVersion: v1
kind: Pod
metadata:
  name: p{i}
  namespace: shop
  labels: {{app: web, tier: front}}
  ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: rs, uid: u}}]
status:
  conditions: [{{type: Ready, status: "True", reason: Running}}]
  containerStatuses: [{{name: app, state: {{running: {{}}}}}}]
"""
    return yaml.safe_load(text)


def test_values_and_keys_stay_equal_and_become_shared() -> None:
    one, two = _pod(1), _pod(2)
    before = copy.deepcopy(one)
    share_strings(one)
    share_strings(two)
    one, two = with_shared_keys(one), with_shared_keys(two)
    assert one == before
    assert orjson.dumps(one) == orjson.dumps(before)  # key order too
    assert one["metadata"]["namespace"] is two["metadata"]["namespace"]
    assert one["metadata"]["labels"]["tier"] is two["metadata"]["labels"]["tier"]
    assert one["status"]["conditions"][0]["status"] is two["status"]["conditions"][0]["status"]
    owner_one = one["metadata"]["ownerReferences"][0]
    owner_two = two["metadata"]["ownerReferences"][0]
    assert owner_one["kind"] is owner_two["kind"]
    keys_one = list(one["status"]["containerStatuses"][0]["state"])
    keys_two = list(two["status"]["containerStatuses"][0]["state"])
    assert keys_one[0] is keys_two[0]


def test_odd_shapes_are_left_alone() -> None:
    raw: dict[str, Any] = {"apiVersion": 1, "kind": None, "metadata": {"namespace": ["x"],
                           "labels": {"a": 1}, "ownerReferences": "no"},
                           "status": {"conditions": [1, {"type": 2}]}}
    before = copy.deepcopy(raw)
    share_strings(raw)
    assert raw == before
    assert with_shared_keys({1: {"a": [{"b": 2}, 3]}}) == {1: {"a": [{"b": 2}, 3]}}
