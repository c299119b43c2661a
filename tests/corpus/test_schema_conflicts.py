"""Gateway API's standard and experimental channels define the same CRD names with different
schemas: installed together, one silently replaces the other. Each alone is healthy."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.audit import audit

pytestmark = pytest.mark.corpus

# CRDs whose spec differs between the channels at the corpus commit (gatewayclasses,
# listenersets and referencegrants differ only in their channel annotations).
DIFFERING = {
    "backendtlspolicies", "gateways", "grpcroutes", "httproutes", "tcproutes", "tlsroutes",
    "udproutes",
}


def test_standard_and_experimental_together_flag_the_crds_that_differ(corpus: Path) -> None:
    report = audit([str(corpus / "gateway-api/standard"),
                    str(corpus / "gateway-api/experimental")], select=["SC001"])
    flagged = {f["object"]["name"].split(".", 1)[0]: f for f in report["findings"]}
    assert set(flagged) == DIFFERING
    httproutes = flagged["httproutes"]
    assert httproutes["severity"] == "error"
    assert httproutes["source"]["file"].endswith(
        "experimental/gateway.networking.k8s.io_httproutes.yaml")
    assert [r["source"]["file"].rsplit("/", 2)[-2] for r in httproutes["related"]] == ["standard"]
    assert "defined twice with different schemas" in httproutes["message"]


@pytest.mark.parametrize("channel", ["standard", "experimental"])
def test_each_channel_alone_has_no_schema_conflict(corpus: Path, channel: str) -> None:
    report = audit([str(corpus / "gateway-api" / channel)], select=["SC", "UQ"])
    assert [f for f in report["findings"] if f["severity"] != "info"] == []


def test_kcp_crds_for_builtin_groups_are_legitimate(corpus: Path) -> None:
    """kcp serves RBAC and admission APIs from CRDs: inside kcp that is not a duplicate."""
    report = audit([str(corpus / "kcp")], select=["SC001"])
    assert report["findings"] == []


def test_a_single_kcp_crd_for_a_builtin_group_is_recognised(corpus: Path) -> None:
    """Even alone, kcp's CRD for ClusterRole carries kcp's annotations (see fixtures/rules/
    SC001-duplicate-gvk for the same CRD without them, which is flagged)."""
    report = audit([str(corpus / "kcp/crds/rbac.authorization.k8s.io_clusterroles.yaml")],
                   select=["SC001"])
    assert report["findings"] == []
