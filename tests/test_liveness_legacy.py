"""Liveness counts a controller's workload in every API version a cluster or dump can hold:
``extensions/v1beta1`` and ``apps/v1beta1``/``v1beta2`` Deployments, DaemonSets and
StatefulSets are the controller's workload exactly like ``apps/v1`` ones (the groups come from
kaudit/data/api_versions.yaml, the table ``RuleContext.objects`` uses)."""

from __future__ import annotations

from typing import Any

import pytest

from kaudit.finalizers import State, assess, identify
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.timeutil import parse_time

NOW = parse_time("2024-06-01T12:00:00Z")
SO = KubeObject({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
                 "metadata": {"name": "x", "namespace": "shop"}})


def workload(api_version: str, kind: str, up: bool, name: str = "keda-operator") -> KubeObject:
    status: dict[str, Any]
    if kind == "DaemonSet":
        status = {"desiredNumberScheduled": 1, "numberAvailable": 1 if up else 0}
    elif kind == "Deployment":
        status = {"replicas": 1, "availableReplicas": 1 if up else 0}
    else:
        status = {"replicas": 1, "readyReplicas": 1 if up else 0}
    return KubeObject({"apiVersion": api_version, "kind": kind,
                       "metadata": {"name": name, "namespace": "keda"},
                       "spec": {"replicas": 1}, "status": status})


LEGACY = [("extensions/v1beta1", "Deployment"), ("extensions/v1beta1", "DaemonSet"),
          ("apps/v1beta1", "Deployment"), ("apps/v1beta1", "StatefulSet"),
          ("apps/v1beta2", "Deployment"), ("apps/v1beta2", "DaemonSet"),
          ("apps/v1beta2", "StatefulSet"), ("apps/v1", "Deployment")]


@pytest.mark.parametrize(("api_version", "kind"), LEGACY)
@pytest.mark.parametrize(("up", "state"), [(True, State.ALIVE), (False, State.GONE)])
def test_a_legacy_workload_is_the_controllers_workload(api_version: str, kind: str, up: bool,
                                                       state: State) -> None:
    snap = Snapshot.build([workload(api_version, kind, up)])
    owner = identify("finalizer.keda.sh", SO, snap)
    liveness = assess(owner, SO, snap, NOW)
    assert liveness.state is state
    assert f"{kind} keda/keda-operator" in liveness.summary
    assert "Deployments" not in liveness.unreadable  # the legacy Deployments were read


def test_one_workload_listed_in_two_groups_is_one_piece_of_evidence() -> None:
    snap = Snapshot.build([workload("apps/v1", "Deployment", True),
                           workload("extensions/v1beta1", "Deployment", True)])
    owner = identify("finalizer.keda.sh", SO, snap)
    liveness = assess(owner, SO, snap, NOW)
    assert [e.text for e in liveness.evidence] == \
        ["Deployment keda/keda-operator has 1 available replica(s)"]
