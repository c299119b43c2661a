"""The stuck-deletion part of the incident scenarios, strictly: every FN expectation holds and
the look-alikes raise no FN finding at warning or above. (``tests/scenarios`` checks whole
scenarios and xfails while other families' rules are missing; this test does not.)"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.audit import audit, ref
from tests.conftest import FIXTURES
from tests.scenarios.runner import matches

SCENARIOS = ["crossplane-foreground-delete", "k8s-deletion-and-crd", "kopf-stale-handler"]


def _spec(name: str) -> dict[str, Any]:
    return yaml.safe_load((FIXTURES / "scenarios" / name / "expected.yaml").read_text())


@pytest.mark.parametrize("name", SCENARIOS)
def test_fn_expectations_hold(name: str) -> None:
    spec = _spec(name)
    folder = FIXTURES / "scenarios" / name
    report = audit([str(folder / p) for p in spec["scan"]], now=spec["now"], select=["FN"])
    wanted = [e for e in spec["must_flag"] if str(e.get("code", "")).startswith("FN")]
    assert wanted
    missing = [e for e in wanted if not any(matches(f, e) for f in report["findings"])]
    assert missing == []


@pytest.mark.parametrize("name", [n for n in SCENARIOS if "lookalikes" in _spec(n)])
def test_fn_quiet_on_lookalikes(name: str) -> None:
    spec = _spec(name)
    folder = FIXTURES / "scenarios" / name
    report = audit([str(folder / p) for p in spec["lookalikes"]["scan"]], now=spec["now"],
                   select=["FN"])
    loud = [(f["code"], ref(f["object"])) for f in report["findings"]
            if f["severity"] in ("warning", "error")]
    assert loud == []


def test_crossplane_chain_names_the_failing_managed_resource() -> None:
    folder = FIXTURES / "scenarios" / "crossplane-foreground-delete"
    report = audit([str(folder / "snapshot.yaml")], now="2024-02-21T15:00:00Z",
                   select=["FN003"])
    (finding,) = report["findings"]
    assert ref(finding["object"]) == "platform.example.org/v1alpha1 XUserRole alice-7xk2p"
    assert [(r["role"], ref(r)) for r in finding["related"]] == [
        ("blocked-by", "postgresql.sql.crossplane.io/v1alpha1 Role alice-7xk2p-9fz4q"),
        ("waiting", "platform.example.org/v1alpha1 UserRole team-a/alice"),
    ]
    assert "delete failed: cannot drop role" in finding["message"]


def test_namespace_discovery_failure_is_tied_to_the_apiservice() -> None:
    folder = FIXTURES / "scenarios" / "k8s-deletion-and-crd"
    report = audit([str(folder / "snapshot.yaml")], now="2025-06-01T12:00:00Z",
                   select=["FN004"])
    by_name = {f["object"]["name"]: f for f in report["findings"]}
    analytics = by_name["analytics"]
    assert [(r["role"], r["name"]) for r in analytics["related"]] == [
        ("blocked-by", "v1beta1.metrics.k8s.io")]
    assert "MissingEndpoints" in analytics["message"]
    payments = by_name["payments"]
    assert "ConfigMap payments/ledger-lock [acme.io/protect]" in payments["message"]
