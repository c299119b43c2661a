"""A partial dump that lost an APIService's ``spec.service``: its status still says it is
aggregated, for SC004 and for the finalizer rules' verdict on the controller behind it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kaudit.aggregation import group_version, is_aggregated
from kaudit.engine import EngineSettings, run
from kaudit.rules.registry import load_catalogue
from kaudit.snapshot import KubeObject, Snapshot

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)


def apiservice(name: str, reason: str, status: str = "False") -> dict[str, Any]:
    return {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
            "metadata": {"name": name},
            "status": {"conditions": [{"type": "Available", "status": status, "reason": reason,
                                       "lastTransitionTime": "2024-06-01T08:00:00Z"}]}}


def test_the_status_reason_tells_aggregated_from_local() -> None:
    assert is_aggregated(KubeObject(apiservice("v1beta1.metrics.k8s.io",
                                               "FailedDiscoveryCheck")))
    assert is_aggregated(KubeObject(apiservice("v1beta1.metrics.k8s.io", "Passed", "True")))
    assert not is_aggregated(KubeObject(apiservice("v1.apps", "Local", "True")))
    assert not is_aggregated(KubeObject(apiservice("v1.apps", "")))
    assert group_version(KubeObject(apiservice("v1beta1.metrics.k8s.io", ""))) == (
        "metrics.k8s.io", "v1beta1")
    assert group_version(KubeObject(apiservice("v1.", ""))) == ("", "v1")


def test_a_finalizer_owed_by_an_unavailable_spec_less_apiservice_is_orphaned() -> None:
    widget = {"apiVersion": "wardle.example.com/v1alpha1", "kind": "Flunder",
              "metadata": {"name": "f", "namespace": "shop",
                           "deletionTimestamp": "2024-06-01T09:00:00Z",
                           "finalizers": ["wardle.example.com/cleanup"]}}
    snap = Snapshot.build(KubeObject(d) for d in (
        widget, apiservice("v1alpha1.wardle.example.com", "MissingEndpoints")))
    result = run(snap, load_catalogue(), EngineSettings(now=NOW, select=("FN002", "SC004")))
    codes = {f.code: f for f in result.findings}
    assert "APIService v1alpha1.wardle.example.com is unavailable" in codes["FN002"].message
    assert "spec.service is not in the inputs" in codes["SC004"].message
