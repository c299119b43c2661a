"""Pod -> Node, ServiceAccount, ConfigMap, Secret, PersistentVolumeClaim; PVC -> PV.

What a pod needs to run, as declarative references: a missing ConfigMap or claim is why a pod
hangs in ContainerCreating, and a claim's volume is what ``pvc-protection`` protects.
"""

from __future__ import annotations

from kaudit.graph.edges.fieldrefs import ANY, FieldRef

RUNS_ON = "runs-on"   # Pod -> Node
USES = "uses"         # Pod -> ServiceAccount/ConfigMap/Secret/PVC
BINDS = "binds"       # PVC -> PV

POD = frozenset({("", "Pod")})
_CM = ("v1", "ConfigMap")
_SECRET = ("v1", "Secret")


def _containers(kind: str) -> tuple[tuple[str, ...], ...]:
    return tuple(("spec", kind, ANY, *rest) for rest in (
        ("envFrom", ANY, "configMapRef"), ("envFrom", ANY, "secretRef"),
        ("env", ANY, "valueFrom", "configMapKeyRef"), ("env", ANY, "valueFrom", "secretKeyRef")))


_CONTAINER_PATHS = (*_containers("containers"), *_containers("initContainers"),
                    *_containers("ephemeralContainers"))

POD_NODE = FieldRef(RUNS_ON, ("spec", "nodeName"), kinds=POD, target=("v1", "Node"),
                    cluster_scoped_target=True)
POD_SERVICE_ACCOUNT = FieldRef(USES, ("spec", "serviceAccountName"), kinds=POD,
                               target=("v1", "ServiceAccount"))
POD_IMAGE_PULL_SECRETS = FieldRef(USES, ("spec", "imagePullSecrets", ANY), kinds=POD,
                                  target=_SECRET)
POD_CONFIGMAP_VOLUMES = FieldRef(USES, ("spec", "volumes", ANY, "configMap"), kinds=POD,
                                 target=_CM)
POD_SECRET_VOLUMES = FieldRef(USES, ("spec", "volumes", ANY, "secret", "secretName"),
                              kinds=POD, target=_SECRET)
POD_PROJECTED_CONFIGMAPS = FieldRef(
    USES, ("spec", "volumes", ANY, "projected", "sources", ANY, "configMap"), kinds=POD,
    target=_CM)
POD_PROJECTED_SECRETS = FieldRef(
    USES, ("spec", "volumes", ANY, "projected", "sources", ANY, "secret"), kinds=POD,
    target=_SECRET)
POD_CLAIMS = FieldRef(USES, ("spec", "volumes", ANY, "persistentVolumeClaim", "claimName"),
                      kinds=POD, target=("v1", "PersistentVolumeClaim"))
POD_CONTAINER_REFS = tuple(
    FieldRef(USES, path, kinds=POD, target=_CM if "configMap" in path[-1] else _SECRET)
    for path in _CONTAINER_PATHS)
PVC_VOLUME = FieldRef(BINDS, ("spec", "volumeName"),
                      kinds=frozenset({("", "PersistentVolumeClaim")}),
                      target=("v1", "PersistentVolume"), cluster_scoped_target=True)

FIELD_REFS: tuple[FieldRef, ...] = (
    POD_NODE, POD_SERVICE_ACCOUNT, POD_IMAGE_PULL_SECRETS, POD_CONFIGMAP_VOLUMES,
    POD_SECRET_VOLUMES, POD_PROJECTED_CONFIGMAPS, POD_PROJECTED_SECRETS, POD_CLAIMS,
    *POD_CONTAINER_REFS, PVC_VOLUME,
)
