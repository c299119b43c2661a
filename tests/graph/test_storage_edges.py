"""PV <-> PVC, VolumeAttachment -> PV and Node, VolumeSnapshot <-> VolumeSnapshotContent."""

from __future__ import annotations

from kaudit.graph import build_graph
from kaudit.model import ObjectKey
from kaudit.snapshot import KubeObject, Snapshot

SNAP = "snapshot.storage.k8s.io"
OBJECTS = [
    {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
     "metadata": {"name": "data", "namespace": "shop"}, "spec": {"volumeName": "pv-1"}},
    {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv-1"},
     "spec": {"claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                           "namespace": "shop", "name": "data", "uid": "u1"}}},
    {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-a"}},
    {"apiVersion": "storage.k8s.io/v1", "kind": "VolumeAttachment", "metadata": {"name": "csi-1"},
     "spec": {"attacher": "ebs.csi.aws.com", "nodeName": "node-a",
              "source": {"persistentVolumeName": "pv-1"}}},
    {"apiVersion": f"{SNAP}/v1", "kind": "VolumeSnapshot",
     "metadata": {"name": "snap", "namespace": "shop"},
     "spec": {"source": {"persistentVolumeClaimName": "data"}},
     "status": {"boundVolumeSnapshotContentName": "content-1"}},
    {"apiVersion": f"{SNAP}/v1", "kind": "VolumeSnapshotContent",
     "metadata": {"name": "content-1"},
     "spec": {"volumeSnapshotRef": {"kind": "VolumeSnapshot", "namespace": "shop",
                                    "name": "snap"}}},
]


def _targets(graph, key: ObjectKey, relation: str) -> list[tuple[str, str, str]]:
    return sorted((lk.key.kind, lk.key.namespace, lk.key.name)
                  for lk in graph.outgoing(key, relation) if lk.obj is not None)


def test_storage_relations() -> None:
    graph = build_graph(Snapshot.build([KubeObject(o) for o in OBJECTS]))
    pv = ObjectKey("", "PersistentVolume", "", "pv-1")
    va = ObjectKey("storage.k8s.io", "VolumeAttachment", "", "csi-1")
    vs = ObjectKey(SNAP, "VolumeSnapshot", "shop", "snap")
    vsc = ObjectKey(SNAP, "VolumeSnapshotContent", "", "content-1")
    assert _targets(graph, pv, "bound-to") == [("PersistentVolumeClaim", "shop", "data")]
    assert _targets(graph, ObjectKey("", "PersistentVolumeClaim", "shop", "data"), "binds") \
        == [("PersistentVolume", "", "pv-1")]
    assert _targets(graph, va, "attaches") == [("PersistentVolume", "", "pv-1")]
    assert _targets(graph, va, "attached-to") == [("Node", "", "node-a")]
    assert [lk.key for lk in graph.incoming(pv, "attaches")] == [va]
    assert _targets(graph, vs, "bound-to") == [("VolumeSnapshotContent", "", "content-1")]
    assert _targets(graph, vsc, "bound-to") == [("VolumeSnapshot", "shop", "snap")]
    assert _targets(graph, vs, "snapshot-of") == [("PersistentVolumeClaim", "shop", "data")]
