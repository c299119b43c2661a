"""The snapshot's indexes, built in one pass: each identity once, repeats remembered."""

from __future__ import annotations

from kaudit.model import ObjectKey
from kaudit.snapshot import KubeObject, Snapshot


def _cm(name: str, namespace: str = "default", **data: str) -> KubeObject:
    return KubeObject({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": name, "namespace": namespace}, "data": data})


def test_iteration_repeats_and_lookups() -> None:
    first, other, again, third = _cm("a", x="1"), _cm("b"), _cm("a", x="2"), _cm("a", x="3")
    crd = KubeObject({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                      "metadata": {"name": "widgets.example.org"},
                      "spec": {"group": "example.org", "scope": "Cluster",
                               "names": {"kind": "Widget"}}})
    snapshot = Snapshot.build([first, other, again, crd, third])
    key = ObjectKey("", "ConfigMap", "default", "a")
    assert list(snapshot) == [first, other, crd]
    assert len(snapshot) == 5
    assert snapshot.get(key) is first
    assert snapshot.all_with_key(key) == (first, again, third)
    assert snapshot.repeated_keys() == (key,)
    assert snapshot.of_kind("ConfigMap", "") == (first, other)
    assert snapshot.in_namespace("default") == (first, other)
    assert snapshot.is_cluster_scoped("example.org", "Widget") is True
    assert Snapshot.build([first, other]).repeated_keys() == ()


def test_having_finds_objects_by_a_key_under_a_top_level_field() -> None:
    claim = KubeObject({"apiVersion": "example.org/v1", "kind": "DB",
                        "metadata": {"name": "c", "namespace": "n"},
                        "spec": {"resourceRef": {"name": "x"}}})
    pv = KubeObject({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv"},
                     "spec": {"claimRef": {"name": "data"}}})
    plain = _cm("plain", x="1")
    repeat = KubeObject({**claim.raw, "spec": {"claimRef": {}}})
    snapshot = Snapshot.build([claim, plain, pv, repeat])
    assert snapshot.having("spec", "resourceRef") == (claim,)
    assert snapshot.having("spec", "claimRef") == (pv,)  # the repeat is not iterated
    assert snapshot.having("data", "x") == (plain,)
    assert snapshot.having("spec", "nothing") == ()
    assert snapshot.having("status", "x") == ()
