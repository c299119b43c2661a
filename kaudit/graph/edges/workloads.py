"""Pod -> Node, ServiceAccount, ConfigMap, Secret, PersistentVolumeClaim; PVC -> PV.

What a pod needs to run, as declarative references: a missing ConfigMap or claim is why a pod
hangs in ContainerCreating, and a claim's volume is what ``pvc-protection`` protects.

Pods are the most numerous objects of a cluster and these are twenty-odd references per pod,
so the ``FieldRef`` lines are compiled into one path trie and each pod is walked once (walking
each line separately cost 5 s per 50k pods; the trie walk visits only keys that exist).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from kaudit.graph.edges.fieldrefs import ANY, FieldRef
from kaudit.graph.model import Edge, Extractor
from kaudit.snapshot import Snapshot

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


_REFS = "\0refs"
_ABSENT = object()


def _trie(refs: Sequence[FieldRef]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for ref in refs:
        node = root
        for step in ref.path:
            node = node.setdefault(step, {})
        node.setdefault(_REFS, []).append(ref)
    return root


def _escape(step: str) -> str:
    return step.replace("~", "~0").replace("/", "~1") if ("~" in step or "/" in step) else step


def compile_refs(relation: str, refs: Sequence[FieldRef]) -> Extractor:
    """One extractor for several ``FieldRef`` lines over the same kinds: one walk per object."""
    trie = _trie(refs)
    kinds = sorted({gk for ref in refs for gk in (ref.kinds or ())})

    def visit(snapshot: Snapshot, obj: Any, node: Any, sub: dict[str, Any], pointer: str,
              out: list[Edge]) -> None:
        # Plain recursion into a list, not nested generators: this runs ~12 times per pod
        # (1.2M calls for 100k objects) and each ``yield from`` level re-yields every edge.
        refs = sub.get(_REFS)
        if refs is not None and node is not None:
            for ref in refs:
                if ref.kinds is None or (obj.group, obj.kind) in ref.kinds:
                    target = ref._target_of(snapshot, obj, node)
                    if target is not None:
                        out.append(Edge(source=obj.key, target=target, relation=ref.relation,
                                        pointer=pointer))
        for step, deeper in sub.items():
            if step == _REFS:
                continue
            if step == ANY:
                if isinstance(node, list):
                    for i, item in enumerate(node):
                        visit(snapshot, obj, item, deeper, f"{pointer}/{i}", out)
            elif isinstance(node, dict):
                value = node.get(step, _ABSENT)
                if value is not _ABSENT:
                    visit(snapshot, obj, value, deeper, f"{pointer}/{_escape(step)}", out)

    def extract(snapshot: Snapshot) -> Iterator[Edge]:
        out: list[Edge] = []
        for group, kind in kinds:
            for obj in snapshot.of_kind(kind, group):
                visit(snapshot, obj, obj.raw, trie, "", out)
                yield from out
                out.clear()

    return Extractor(relation, extract)


EXTRACTOR = compile_refs("workloads", FIELD_REFS)
