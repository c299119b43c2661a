"""Volumes and snapshots: PV -> PVC, VolumeAttachment -> PV and Node, VolumeSnapshot <->
VolumeSnapshotContent, VolumeSnapshot -> PVC.

The storage finalizers wait on these: ``pv-protection`` on the claim bound to the volume,
``external-attacher/<driver>`` on the VolumeAttachment that still attaches it to a node, the
snapshot controller's bound-protection on the other half of a snapshot binding. (PVC -> PV is
in ``workloads``, next to the pod references that lead to it.)
"""

from __future__ import annotations

from kaudit.graph.edges.fieldrefs import FieldRef

BOUND_TO = "bound-to"        # PV -> its claim; VolumeSnapshot <-> VolumeSnapshotContent
ATTACHES = "attaches"        # VolumeAttachment -> PV
ATTACHED_TO = "attached-to"  # VolumeAttachment -> Node
SNAPSHOT_OF = "snapshot-of"  # VolumeSnapshot -> PVC

_SNAPSHOT_V1 = "snapshot.storage.k8s.io/v1"
_PV = frozenset({("", "PersistentVolume")})
_VA = frozenset({("storage.k8s.io", "VolumeAttachment")})
_VS = frozenset({("snapshot.storage.k8s.io", "VolumeSnapshot")})
_VSC = frozenset({("snapshot.storage.k8s.io", "VolumeSnapshotContent")})

PV_CLAIM = FieldRef(BOUND_TO, ("spec", "claimRef"), kinds=_PV,
                    target=("v1", "PersistentVolumeClaim"))
ATTACHMENT_VOLUME = FieldRef(ATTACHES, ("spec", "source", "persistentVolumeName"), kinds=_VA,
                             target=("v1", "PersistentVolume"), cluster_scoped_target=True)
ATTACHMENT_NODE = FieldRef(ATTACHED_TO, ("spec", "nodeName"), kinds=_VA,
                           target=("v1", "Node"), cluster_scoped_target=True)
SNAPSHOT_CONTENT = FieldRef(BOUND_TO, ("status", "boundVolumeSnapshotContentName"), kinds=_VS,
                            target=(_SNAPSHOT_V1, "VolumeSnapshotContent"),
                            cluster_scoped_target=True)
SNAPSHOT_PRE_PROVISIONED = FieldRef(
    BOUND_TO, ("spec", "source", "volumeSnapshotContentName"), kinds=_VS,
    target=(_SNAPSHOT_V1, "VolumeSnapshotContent"), cluster_scoped_target=True)
SNAPSHOT_CLAIM = FieldRef(SNAPSHOT_OF, ("spec", "source", "persistentVolumeClaimName"),
                          kinds=_VS, target=("v1", "PersistentVolumeClaim"))
CONTENT_SNAPSHOT = FieldRef(BOUND_TO, ("spec", "volumeSnapshotRef"), kinds=_VSC,
                            target=(_SNAPSHOT_V1, "VolumeSnapshot"))

FIELD_REFS: tuple[FieldRef, ...] = (
    PV_CLAIM, ATTACHMENT_VOLUME, ATTACHMENT_NODE, SNAPSHOT_CONTENT, SNAPSHOT_PRE_PROVISIONED,
    SNAPSHOT_CLAIM, CONTENT_SNAPSHOT,
)
