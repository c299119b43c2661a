"""The schema rules' deliberate decisions that fixtures alone do not show."""

from __future__ import annotations

from pathlib import Path

from tests.audit import audit

CLUSTERROLE_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: clusterroles.rbac.authorization.k8s.io
spec:
  group: rbac.authorization.k8s.io
  names: {kind: ClusterRole, plural: clusterroles}
  scope: Cluster
  versions: [{name: v1, served: true, storage: true}]
"""
KCP_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: apibindings.apis.kcp.io
spec:
  group: apis.kcp.io
  names: {kind: APIBinding, plural: apibindings}
  scope: Cluster
  versions: [{name: v1alpha1, served: true, storage: true}]
"""


def sc001(tmp_path: Path, *docs: str) -> list[str]:
    path = tmp_path / "crds.yaml"
    path.write_text("---\n".join(docs))
    return [f["object"]["name"] for f in audit([str(path)], select=["SC001"])["findings"]]


def test_a_crd_for_a_builtin_kind_is_a_duplicate_outside_kcp(tmp_path: Path) -> None:
    assert sc001(tmp_path, CLUSTERROLE_CRD) == ["clusterroles.rbac.authorization.k8s.io"]


def test_inside_kcp_crds_for_builtin_kinds_are_how_kcp_serves_them(tmp_path: Path) -> None:
    assert sc001(tmp_path, CLUSTERROLE_CRD, KCP_CRD) == []


def test_bindings_in_different_workspaces_do_not_conflict(tmp_path: Path) -> None:
    def binding(name: str, cluster: str, identity: str) -> str:
        return (f"apiVersion: apis.kcp.io/v1alpha1\nkind: APIBinding\nmetadata:\n  name: {name}\n"
                f"  annotations: {{kcp.io/cluster: {cluster}}}\nstatus:\n  boundResources:\n"
                f"  - {{group: acme.dev, resource: foos, schema: {{name: s-{identity}, "
                f"identityHash: {identity}}}}}\n")

    assert sc001(tmp_path, binding("a", "ws1", "aaa"), binding("b", "ws2", "bbb")) == []
    assert sc001(tmp_path, binding("a", "ws1", "aaa"), binding("b", "ws1", "bbb")) == ["b"]
    # Two bindings of the same export (same identity) are one store, not a conflict.
    assert sc001(tmp_path, binding("a", "ws1", "aaa"), binding("b", "ws1", "aaa")) == []
