"""``kaudit.explain``: the triage tree as data, and the remediation it prints."""

from __future__ import annotations

import copy
import shlex

import jsonpatch
import pytest

from kaudit.explain import NotFound, explain, neighbourhood, resolve
from kaudit.graph import build_graph
from kaudit.model import ObjectKey
from kaudit.snapshot.files import load_snapshot
from kaudit.timeutil import parse_time
from tests.conftest import FIXTURES

CROSSPLANE = str(FIXTURES / "scenarios/crossplane-foreground-delete/snapshot.yaml")
K8S = str(FIXTURES / "scenarios/k8s-deletion-and-crd/snapshot.yaml")
NOW = parse_time("2024-02-21T15:00:00Z")
MR = "alice-7xk2p-9fz4q"


def _explain(path: str, target: str, namespace: str | None, now: str) -> object:
    snapshot = load_snapshot([path])
    obj = resolve(snapshot, target, namespace)
    return explain(snapshot, build_graph(snapshot), obj, parse_time(now))


def chain(node: dict) -> list[tuple[str, str, str, bool]]:
    """(relation, kind, name, blocker) from the node down its first children."""
    out = []
    while True:
        out.append((node["relation"], node["object"]["kind"], node["object"]["name"],
                    node["blocker"]))
        if not node["children"]:
            return out
        node = node["children"][0]


def test_claim_shows_composite_and_the_failing_managed_resource() -> None:
    data = _explain(CROSSPLANE, "userrole/alice", "team-a", "2024-02-21T15:00:00Z").to_json()
    assert chain(data["tree"]) == [
        ("target", "UserRole", "alice", False),
        ("composite", "XUserRole", "alice-7xk2p", False),
        ("dependent (blocks owner deletion)", "Role", MR, True),
    ]
    mr = data["tree"]["children"][0]["children"][0]
    assert mr["deletingFor"] == "24m47s"
    assert mr["conditions"][0]["message"].startswith("delete failed: cannot drop role")
    (fin,) = mr["finalizers"]
    assert fin["controller"] == ("Crossplane provider serving this managed resource "
                                 "(postgresql.sql.crossplane.io)")
    assert fin["liveness"]["state"] == "alive"  # its event 58s before now says so
    assert [b["name"] for b in data["blockers"]] == [MR]
    assert data["verdict"] == f"blocked by 1 leaf object(s): Role {MR}"


def test_remediation_patch_is_guarded_and_removes_only_that_finalizer() -> None:
    explanation = _explain(CROSSPLANE, "userrole/alice", "team-a", "2024-02-21T15:00:00Z")
    (remedy,) = explanation.remedies
    assert remedy.finalizer == "finalizer.managedresource.crossplane.io"
    assert "alice@example.com" in remedy.leaves_behind and "NOT deleted" in remedy.leaves_behind
    snapshot = load_snapshot([CROSSPLANE])
    mr = snapshot.get(ObjectKey("postgresql.sql.crossplane.io", "Role", "", MR))
    assert mr is not None
    patched = jsonpatch.apply_patch(mr.raw, list(remedy.patch))
    assert patched["metadata"]["finalizers"] == []
    assert {k: v for k, v in patched.items() if k != "metadata"} == \
        {k: v for k, v in mr.raw.items() if k != "metadata"}
    # The guards: a re-created object (other uid) or a changed finalizer list is refused.
    recreated = copy.deepcopy(mr.raw)
    recreated["metadata"]["uid"] = "another"
    with pytest.raises(jsonpatch.JsonPatchTestFailed):
        jsonpatch.apply_patch(recreated, list(remedy.patch))
    changed = copy.deepcopy(mr.raw)
    changed["metadata"]["finalizers"] = ["other.example.org/x", *changed["metadata"]["finalizers"]]
    with pytest.raises(jsonpatch.JsonPatchTestFailed):
        jsonpatch.apply_patch(changed, list(remedy.patch))
    # The kubectl line carries exactly that patch, quoted for a POSIX shell.
    words = shlex.split(remedy.kubectl)
    assert words[:6] == ["kubectl", "patch", "role.postgresql.sql.crossplane.io", MR,
                         "--type=json", "-p"]
    assert jsonpatch.JsonPatch.from_string(words[6]).patch == list(remedy.patch)
    assert "-n" not in words  # a cluster-scoped managed resource


def test_namespaced_remedy_names_the_namespace() -> None:
    explanation = _explain(K8S, "deploy/ledger", "payments", "2025-06-01T12:00:00Z")
    assert [r.finalizer for r in explanation.remedies] == ["acme.io/protect"]
    words = shlex.split(explanation.remedies[0].kubectl)
    assert words[2:6] == ["configmap", "ledger-lock", "-n", "payments"]


def test_namespace_shows_its_content_and_blockers() -> None:
    data = _explain(K8S, "ns/payments", None, "2025-06-01T12:00:00Z").to_json()
    top = data["tree"]
    assert [c["object"]["name"] for c in top["children"]] == ["ledger", "ledger-old-6c9d8f7b5"]
    assert {b["name"] for b in data["blockers"]} == {"ledger-lock", "ledger-old-6c9d8f7b5"}
    types = {c["type"] for c in top["conditions"]}
    assert {"NamespaceContentRemaining", "NamespaceFinalizersRemaining"} <= types


def test_young_deletion_is_work_in_progress() -> None:
    path = str(FIXTURES / "scenarios/crossplane-foreground-delete/lookalikes.yaml")
    explanation = _explain(path, "userrole/carl", "team-b", "2024-02-21T15:00:00Z")
    assert explanation.blockers == () and explanation.remedies == ()
    assert explanation.verdict.startswith("deleting for 42s: within the grace period")


def test_managed_resource_explains_up_to_the_claim() -> None:
    data = _explain(CROSSPLANE, f"role/{MR}", None, "2024-02-21T15:00:00Z").to_json()
    assert [p["name"] for p in data["path"]] == ["alice", "alice-7xk2p", MR]
    assert data["tree"]["relation"] == "root"


def test_json_is_deterministic() -> None:
    first = _explain(CROSSPLANE, "userrole/alice", "team-a", "2024-02-21T15:00:00Z")
    second = _explain(CROSSPLANE, "userrole/alice", "team-a", "2024-02-21T15:00:00Z")
    assert first.to_json_text() == second.to_json_text()


def test_resolve_errors_name_the_problem() -> None:
    snapshot = load_snapshot([CROSSPLANE])
    with pytest.raises(NotFound, match="no UserRole named 'nobody'"):
        resolve(snapshot, "userrole/nobody", None)
    with pytest.raises(NotFound, match="write KIND/NAME"):
        resolve(snapshot, "alice", None)
    assert resolve(snapshot, "userroles.platform.example.org/alice", "team-a").kind == "UserRole"


def test_unknown_kind_is_called_unknown() -> None:
    snapshot = load_snapshot([CROSSPLANE])
    with pytest.raises(NotFound, match=r"^unknown kind 'usrrole': no kind, plural or short name "
                                       r"'usrrole' in the inputs or in the built-in API; did you "
                                       r"mean userrole"):
        resolve(snapshot, "usrrole/alice", None)
    with pytest.raises(NotFound, match=r"^unknown kind 'gizmo'.*as kubectl accepts them"):
        resolve(snapshot, "gizmo/alice", None)
    # A built-in kind the inputs lack is not unknown: spelled as the API spells it.
    with pytest.raises(NotFound, match=r"^no Service named 'web' in namespace team-a in the "
                                       r"inputs: they hold no Service at all$"):
        resolve(snapshot, "svc/web", "team-a")


def test_neighbourhood_is_owners_and_dependents_only() -> None:
    snapshot = load_snapshot([CROSSPLANE])
    graph = build_graph(snapshot)
    keys = neighbourhood(graph, ObjectKey("platform.example.org", "XUserRole", "",
                                          "alice-7xk2p"))
    assert sorted(k.name for k in keys) == ["alice", "alice-7xk2p", MR]


def test_empty_namespace_is_blocked_by_the_unavailable_apiservice() -> None:
    data = _explain(K8S, "ns/analytics", None, "2025-06-01T12:00:00Z").to_json()
    (child,) = data["tree"]["children"]
    assert (child["relation"], child["object"]["name"], child["blocker"]) == (
        "discovery blocked by", "v1beta1.metrics.k8s.io", True)
    assert child["conditions"][0]["reason"] == "MissingEndpoints"
    (service,) = child["children"]
    assert (service["relation"], service["object"]["name"], service["present"]) == (
        "backed by", "metrics-server", False)
    assert data["remediation"] == []  # nothing to patch: repair the APIService
