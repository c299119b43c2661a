"""The Kong credential and kcp binding edges the schema and unique-field rules follow."""

from __future__ import annotations

from kaudit.graph import build_graph
from kaudit.model import ObjectKey
from kaudit.snapshot import KubeObject, Snapshot

KONG = "configuration.konghq.com"


def graph(*raws: dict) -> object:
    return build_graph(Snapshot.build(KubeObject(r) for r in raws))


def test_a_kong_consumer_points_at_each_credential_secret_in_its_namespace() -> None:
    g = graph(
        {"apiVersion": f"{KONG}/v1", "kind": "KongConsumer",
         "metadata": {"name": "alice", "namespace": "consumers"},
         "username": "alice", "credentials": ["alice-jwt", "alice-basic"]},
        {"apiVersion": "v1", "kind": "Secret",
         "metadata": {"name": "alice-jwt", "namespace": "consumers"}},
    )
    links = g.outgoing(ObjectKey(KONG, "KongConsumer", "consumers", "alice"), "kong-credential")
    assert [(link.key, link.obj is not None, link.pointer) for link in links] == [
        (ObjectKey("", "Secret", "consumers", "alice-jwt"), True, "/credentials/0"),
        (ObjectKey("", "Secret", "consumers", "alice-basic"), False, "/credentials/1"),
    ]
    incoming = g.incoming(ObjectKey("", "Secret", "consumers", "alice-jwt"), "kong-credential")
    assert [link.key.name for link in incoming] == ["alice"]


def test_a_kcp_binding_points_at_its_export_and_the_export_at_its_schemas() -> None:
    g = graph(
        {"apiVersion": "apis.kcp.io/v1alpha1", "kind": "APIBinding",
         "metadata": {"name": "b"}, "spec": {"reference": {"export": {"name": "e"}}}},
        {"apiVersion": "apis.kcp.io/v1alpha1", "kind": "APIExport", "metadata": {"name": "e"},
         "spec": {"latestResourceSchemas": ["v1.foos.acme.dev"]}},
        {"apiVersion": "apis.kcp.io/v1alpha2", "kind": "APIExport", "metadata": {"name": "e2"},
         "spec": {"resources": [{"group": "acme.dev", "name": "bars",
                                 "schema": "v1.bars.acme.dev"}]}},
    )
    binds = g.outgoing(ObjectKey("apis.kcp.io", "APIBinding", "", "b"), "binds")
    assert [(link.key.name, link.obj is not None) for link in binds] == [("e", True)]
    exports = g.outgoing(ObjectKey("apis.kcp.io", "APIExport", "", "e"), "exports")
    assert [link.key for link in exports] == [
        ObjectKey("apis.kcp.io", "APIResourceSchema", "", "v1.foos.acme.dev")]
    v1a2 = g.outgoing(ObjectKey("apis.kcp.io", "APIExport", "", "e2"), "exports")
    assert [(link.key.name, link.pointer) for link in v1a2] == [
        ("v1.bars.acme.dev", "/spec/resources/0/schema")]
