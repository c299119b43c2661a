"""Health fields that are not conditions, read from kaudit/data/health_fields.yaml: each
shape found with its pointer, failed values marked, unlisted values ignored, the table
checked, and the status rules' notion of failed following it."""

from __future__ import annotations

from typing import Any

import pytest

from kaudit.rules import KubeObject, conditions
from kaudit.rules.conditions import HEALTH
from kaudit.rules.health_fields import build, fields_for, table
from kaudit_rules.status.conditions import failure


def obj(api_version: str, kind: str, status: Any) -> KubeObject:
    return KubeObject({"apiVersion": api_version, "kind": kind,
                       "metadata": {"name": "x", "namespace": "ns"}, "status": status})


@pytest.mark.parametrize(("api_version", "kind", "status", "expected"), [
    # Rook: every ceph.rook.io kind's phase, and the cluster's ceph health
    ("ceph.rook.io/v1", "CephBlockPool", {"phase": "Ready"},
     [("Ready", "True", "/status/phase", False)]),
    ("ceph.rook.io/v1", "CephObjectStore", {"phase": "Failure"},
     [("Ready", "False", "/status/phase", True)]),
    ("ceph.rook.io/v1", "CephFilesystem", {"phase": "DeletionIsBlocked"},
     [("Ready", "False", "/status/phase", False)]),
    ("ceph.rook.io/v1", "CephCluster", {"phase": "Ready", "ceph": {"health": "HEALTH_ERR"}},
     [("Ready", "True", "/status/phase", False),
      ("Healthy", "False", "/status/ceph/health", True)]),
    ("ceph.rook.io/v1", "CephCluster", {"phase": "Progressing",
                                        "ceph": {"health": "HEALTH_WARN"}},
     [("Ready", "Unknown", "/status/phase", False),
      ("Healthy", "Unknown", "/status/ceph/health", False)]),
    # Longhorn: robustness, and a deleting volume says so
    ("longhorn.io/v1beta2", "Volume", {"state": "attached", "robustness": "healthy"},
     [("Healthy", "True", "/status/robustness", False)]),
    ("longhorn.io/v1beta2", "Volume", {"state": "detached", "robustness": "faulted"},
     [("Healthy", "False", "/status/robustness", True)]),
    ("longhorn.io/v1beta2", "Volume", {"state": "deleting", "robustness": "degraded"},
     [("Healthy", "False", "/status/robustness", False),
      ("Ready", "False", "/status/state", False)]),
    # cert-manager ACME
    ("acme.cert-manager.io/v1", "Order", {"state": "errored"},
     [("Valid", "False", "/status/state", True)]),
    ("acme.cert-manager.io/v1", "Challenge", {"state": "valid"},
     [("Valid", "True", "/status/state", False)]),
    ("acme.cert-manager.io/v1", "Challenge", {"state": "pending"},
     [("Valid", "Unknown", "/status/state", False)]),
    # MetalLB
    ("metallb.io/v1beta1", "ConfigurationState", {"result": "Invalid"},
     [("Valid", "False", "/status/result", True)]),
    # Argo CD, with the table's default for a word of a newer release
    ("argoproj.io/v1alpha1", "Application", {"health": {"status": "Degraded"}},
     [("Healthy", "False", "/status/health/status", True)]),
    ("argoproj.io/v1alpha1", "Application", {"health": {"status": "SomethingNew"}},
     [("Healthy", "Unknown", "/status/health/status", False)]),
])
def test_each_shape(api_version: str, kind: str, status: dict[str, Any],
                    expected: list[tuple[str, str, str, bool]]) -> None:
    found = list(conditions(obj(api_version, kind, status)))
    assert [(c.type, c.status, c.pointer, c.failing) for c in found] == expected
    assert all(c.scope == HEALTH for c in found)
    assert all(c.reason == c.describe().split("=", 1)[1] for c in found)


@pytest.mark.parametrize(("api_version", "kind", "status"), [
    ("ceph.rook.io/v1", "CephBlockPool", {"phase": "SomethingNew"}),   # unlisted, no default
    ("ceph.rook.io/v1", "CephBlockPool", {"phase": 3}),
    ("ceph.rook.io/v1", "CephCluster", {"ceph": "HEALTH_ERR"}),
    ("longhorn.io/v1beta2", "Volume", {"state": "attached"}),          # only deleting is read
    ("longhorn.io/v1beta2", "Engine", {"robustness": "faulted"}),      # another kind
    ("example.org/v1", "Volume", {"robustness": "faulted"}),          # another group
    ("acme.cert-manager.io/v1", "Order", {"state": ["errored"]}),
])
def test_unlisted_values_other_kinds_and_odd_types_yield_nothing(
        api_version: str, kind: str, status: dict[str, Any]) -> None:
    assert list(conditions(obj(api_version, kind, status))) == []


def test_the_table_is_complete_and_sourced() -> None:
    entries = table()
    assert {e.project for e in entries} >= {"Argo CD", "Rook", "Longhorn", "cert-manager",
                                             "MetalLB"}
    for e in entries:
        assert e.source.startswith("https://github.com/") and "/blob/" in e.source, e
        assert e.path[0] == "status", e
    assert [e.type for e in fields_for("argoproj.io", "Application")] == ["Healthy", "Synced"]
    assert fields_for("argoproj.io", "AppProject") == ()


@pytest.mark.parametrize("entry", [
    {"values": {"ok": "Yes"}},                         # not a condition status
    {"values": {"ok": "True"}, "failed": ["bad"]},     # failed value not listed
    {"values": {"ok": "True", "bad": "Unknown"}, "failed": ["bad"]},  # failed but not False
    {"values": {"ok": "True"}, "default": "Maybe"},
    {"values": {"ok": "True"}, "kinds": []},
])
def test_a_malformed_entry_is_refused(entry: dict[str, Any]) -> None:
    base = {"project": "p", "source": "s", "group": "g", "kinds": ["K"], "field": "status.x",
            "type": "Ready"}
    with pytest.raises(ValueError, match="malformed"):
        build([{**base, **entry}])


@pytest.mark.parametrize(("api_version", "kind", "status", "why"), [
    ("cert-manager.io/v1", "CertificateRequest",
     {"conditions": [{"type": "Ready", "status": "False", "reason": "Denied"},
                     {"type": "Denied", "status": "True", "reason": "Denied"}]},
     "Denied=True (Denied)"),
    ("cert-manager.io/v1", "CertificateRequest",
     {"conditions": [{"type": "InvalidRequest", "status": "True", "reason": "BadConfig"}]},
     "InvalidRequest=True (BadConfig)"),
    ("argoproj.io/v1alpha1", "Workflow", {"phase": "Error"}, "phase Error"),
    ("kafka.strimzi.io/v1beta2", "KafkaTopic",
     {"conditions": [{"type": "NotReady", "status": "True",
                      "reason": "InvalidResourceException"}]},
     "NotReady=True (InvalidResourceException)"),
    ("ceph.rook.io/v1", "CephBlockPool", {"phase": "Failure"}, "status.phase=Failure"),
    ("longhorn.io/v1beta2", "Volume", {"robustness": "faulted"}, "status.robustness=faulted"),
    ("acme.cert-manager.io/v1", "Order", {"state": "invalid"}, "status.state=invalid"),
])
def test_failed_follows_the_shapes(api_version: str, kind: str, status: dict[str, Any],
                                   why: str) -> None:
    assert failure(obj(api_version, kind, status)) == why


@pytest.mark.parametrize(("api_version", "kind", "status"), [
    ("cert-manager.io/v1", "CertificateRequest",
     {"conditions": [{"type": "Denied", "status": "False"}]}),
    ("ceph.rook.io/v1", "CephBlockPool", {"phase": "Progressing"}),
    ("longhorn.io/v1beta2", "Volume", {"robustness": "degraded"}),
    ("acme.cert-manager.io/v1", "Order", {"state": "pending"}),
    ("v1", "Pod", {"phase": "Succeeded"}),
    ("kafka.strimzi.io/v1beta2", "Kafka",
     {"conditions": [{"type": "NotReady", "status": "True", "reason": "Creating"}]}),
    ("kafka.strimzi.io/v1beta2", "Kafka",
     {"conditions": [{"type": "Ready", "status": "True"},
                     {"type": "Warning", "status": "True", "reason": "KafkaStorage"}]}),
])
def test_progress_and_degradation_are_not_failure(api_version: str, kind: str,
                                                  status: dict[str, Any]) -> None:
    assert failure(obj(api_version, kind, status)) is None
