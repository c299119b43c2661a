"""``kaudit.finalizers``: who owes a finalizer and whether that controller looks alive."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from kaudit.finalizers import State, identify, view
from kaudit.finalizers.table import OwnerKind
from kaudit.graph import build_graph
from kaudit.model import CoverageGap, Severity
from kaudit.rules import RuleContext
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.timeutil import parse_time
from kaudit_rules.finalizers.orphaned_finalizer import OrphanedFinalizer

NOW = parse_time("2024-06-01T12:00:00Z")


def obj(kind: str, name: str, api_version: str = "v1", namespace: str = "", **rest: Any
        ) -> KubeObject:
    meta = {"name": name, **({"namespace": namespace} if namespace else {}),
            **rest.pop("metadata", {})}
    return KubeObject({"apiVersion": api_version, "kind": kind, "metadata": meta, **rest})


def kopf_object(deleting: bool = True) -> KubeObject:
    meta: dict[str, Any] = {"finalizers": ["kopf.zalando.org/KopfFinalizerMarker"]}
    if deleting:
        meta["deletionTimestamp"] = "2024-06-01T11:00:00Z"
    return obj("SearchIndex", "idx", "search.example.com/v1", "search", metadata=meta)


def peering(lastseen: str) -> KubeObject:
    return obj("ClusterKopfPeering", "default", "kopf.dev/v1",
               status={"op-1": {"priority": 0, "lifetime": 60, "lastseen": lastseen}})


def test_table_and_domain_attribution() -> None:
    snap = Snapshot.build([obj("CustomResourceDefinition", "certs", "apiextensions.k8s.io/v1",
                               spec={"group": "acme.cert-manager.io"})])
    o = obj("Challenge", "c", "acme.cert-manager.io/v1", "ns")
    assert identify("finalizer.acme.cert-manager.io", o, snap).controller == \
        "cert-manager controller"
    assert identify("kubernetes.io/pvc-protection", o, snap).kind is OwnerKind.CONTROL_PLANE
    assert identify("orphan", o, snap).is_gc
    generic = identify("billing.acme.cert-manager.io/x", o, snap)
    assert generic.controller == "cert-manager controller"
    snap2 = Snapshot.build([obj("CustomResourceDefinition", "widgets", "apiextensions.k8s.io/v1",
                                spec={"group": "shop.example.org"})])
    owner = identify("cleanup.shop.example.org/done", o, snap2)
    assert (owner.basis, owner.groups) == ("crd-group", ("shop.example.org",))
    assert identify("acme.io/protect", o, snap2).kind is OwnerKind.UNKNOWN


def test_fresh_peering_wins_over_a_stale_one() -> None:
    o = kopf_object()
    snap = Snapshot.build([o, peering("2024-06-01T11:59:30+00:00"),
                           obj("ClusterKopfPeering", "other", "kopf.dev/v1",
                               status={"op-2": {"lifetime": 60,
                                                "lastseen": "2024-06-01T09:00:00+00:00"}})])
    assert view(o, 0, snap, NOW).liveness.state is State.ALIVE


def test_stale_peering_is_gone_and_unread_evidence_is_unknown() -> None:
    o = kopf_object()
    stale = Snapshot.build([o, peering("2024-06-01T10:00:00+00:00")])
    assert view(o, 0, stale, NOW).liveness.state is State.GONE
    nothing = Snapshot.build([o])
    liveness = view(o, 0, nothing, NOW).liveness
    assert liveness.state is State.UNKNOWN
    assert "Kopf peerings" in liveness.unreadable


def test_time_alone_never_makes_a_controller_gone() -> None:
    o = obj("Widget", "w", "shop.example.org/v1", "ns",
            metadata={"deletionTimestamp": "2020-01-01T00:00:00Z",
                      "finalizers": ["shop.example.org/cleanup"]})
    crd = obj("CustomResourceDefinition", "widgets", "apiextensions.k8s.io/v1",
              spec={"group": "shop.example.org"})
    assert view(o, 0, Snapshot.build([o, crd]), NOW).liveness.state is State.UNKNOWN


def _fn002(snapshot: Snapshot) -> list[tuple[str, Severity]]:
    ctx = RuleContext(snapshot, build_graph(snapshot), OrphanedFinalizer.Options(), NOW)
    return [(f.object.name if f.object else "", f.severity)
            for f in OrphanedFinalizer().check(ctx)]


def test_fn002_severity_and_downgrade_on_coverage_gaps() -> None:
    deleting, idle = kopf_object(), obj("SearchIndex", "idle", "search.example.com/v1", "search",
                                        metadata={"finalizers": [
                                            "kopf.zalando.org/KopfFinalizerMarker"]})
    stale = peering("2024-06-01T10:00:00+00:00")
    assert _fn002(Snapshot.build([deleting, idle, stale])) == [
        ("idx", Severity.ERROR), ("idle", Severity.WARNING)]
    gapped = Snapshot.build([deleting, idle, stale],
                            gaps=[CoverageGap("deployments.apps", "forbidden")])
    assert _fn002(gapped) == [("idx", Severity.WARNING), ("idle", Severity.INFO)]


def test_crossplane_provider_found_through_its_revision() -> None:
    revision = {"apiVersion": "pkg.crossplane.io/v1", "kind": "ProviderRevision",
                "name": "provider-sql-abc", "uid": "rev-1", "controller": True}
    other = {**revision, "name": "provider-aws-def", "uid": "rev-2"}
    crd = obj("CustomResourceDefinition", "roles.postgresql.sql.crossplane.io",
              "apiextensions.k8s.io/v1", spec={"group": "postgresql.sql.crossplane.io"},
              metadata={"ownerReferences": [revision]})
    sql = obj("Deployment", "provider-sql-abc", "apps/v1", "crossplane-system",
              metadata={"ownerReferences": [revision]}, spec={"replicas": 0},
              status={"replicas": 0})
    aws = obj("Deployment", "provider-aws-def", "apps/v1", "crossplane-system",
              metadata={"ownerReferences": [other]}, spec={"replicas": 1},
              status={"availableReplicas": 1})
    mr = obj("Role", "r", "postgresql.sql.crossplane.io/v1alpha1",
             metadata={"deletionTimestamp": "2024-06-01T11:00:00Z",
                       "finalizers": ["finalizer.managedresource.crossplane.io"]})
    liveness = view(mr, 0, Snapshot.build([crd, sql, aws, mr]), NOW).liveness
    assert liveness.state is State.GONE  # the other provider being up proves nothing
    assert [e.text for e in liveness.evidence] == [
        "Deployment crossplane-system/provider-sql-abc is scaled to zero"]


def test_recent_event_from_the_controller_is_a_sign_of_life() -> None:
    mr = obj("Role", "r", "postgresql.sql.crossplane.io/v1alpha1",
             metadata={"deletionTimestamp": "2024-06-01T11:00:00Z",
                       "finalizers": ["finalizer.managedresource.crossplane.io"]})
    event = obj("Event", "r.1", "v1", "default", reason="CannotDeleteExternalResource",
                type="Warning", lastTimestamp="2024-06-01T11:58:00Z",
                source={"component": "managed/role.postgresql.sql.crossplane.io"},
                involvedObject={"apiVersion": "postgresql.sql.crossplane.io/v1alpha1",
                                "kind": "Role", "name": "r"})
    snap = Snapshot.build([mr, event])
    assert view(mr, 0, snap, NOW, events=[event]).liveness.state is State.ALIVE
    old = NOW + timedelta(hours=1)
    assert view(mr, 0, snap, old, events=[event]).liveness.state is State.UNKNOWN


def test_unserved_api_group_counts_only_when_definitions_were_read() -> None:
    widget = obj("Widget", "w", "shop.example.org/v1", "ns",
                 metadata={"deletionTimestamp": "2024-06-01T11:00:00Z",
                           "finalizers": ["shop.example.org/cleanup"]})
    other_crd = obj("CustomResourceDefinition", "gadgets.other.example.org",
                    "apiextensions.k8s.io/v1", spec={"group": "other.example.org"})
    other_api = obj("APIService", "v1.metrics.example.org", "apiregistration.k8s.io/v1",
                    spec={"group": "metrics.example.org", "service": {"name": "m"}})
    # CRDs and APIServices were read, none serves shop.example.org: its API is gone.
    read = view(widget, 0, Snapshot.build([widget, other_crd, other_api]), NOW).liveness
    assert (read.state, [e.text for e in read.evidence]) == (State.GONE, [
        "API group shop.example.org is no longer served: no CRD or APIService for it"])
    # Without APIServices in the inputs, absence proves nothing.
    unread = view(widget, 0, Snapshot.build([widget, other_crd]), NOW).liveness
    assert (unread.state, unread.unreadable) == (State.UNKNOWN, ("APIServices",))
