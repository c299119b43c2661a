"""Pod -> Node, ServiceAccount, ConfigMap, Secret, PersistentVolumeClaim; PVC -> PV.

What a pod needs to run, as declarative references: a missing ConfigMap or claim is why a pod
hangs in ContainerCreating, and a claim's volume is what ``pvc-protection`` protects.

The references are declared as ``FieldRef`` lines (``FIELD_REFS``: what a pod reads, as data).
Pods are the most numerous objects of a cluster, so the extractor is a hand-written walk over
a pod's spec that visits each field the lines name once and builds a pointer only for a
reference it records: at 100k objects the generic trie walk over the same lines
(``compile_refs``) cost 0.66 s, this walk 0.33 s. ``tests/graph/test_workloads_walk.py``
proves the two agree, edge for edge and in order, on generated pods, the bench cluster and the
shared corpus, so a new line here needs a line in the walk as well.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from kaudit.graph.edges.fieldrefs import ANY, FieldRef
from kaudit.graph.model import Edge, Extractor, resolve_namespace
from kaudit.model import ObjectRef
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.snapshot.reads import union

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

_CONTAINER_FIELDS = tuple(dict.fromkeys(path[1] for path in _CONTAINER_PATHS))
# (field, target kind) of the mappings that hold a ConfigMap and a Secret reference side by
# side, in the order the lines name them.
_PROJECTED = (("configMap", "ConfigMap"), ("secret", "Secret"))
_ENV_FROM = (("configMapRef", "ConfigMap"), ("secretRef", "Secret"))
_VALUE_FROM = (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret"))
_UNKNOWN = object()

# target(api_version, kind, value, referrer namespace or None for a cluster-scoped target)
_Target = Callable[[str, str, Any, "str | None"], "ObjectRef | None"]


def _targets(snapshot: Snapshot) -> _Target:
    """What ``FieldRef._target_of`` makes of a field with a fixed target kind, with the scope
    of each target kind looked up once and one ``ObjectRef`` per distinct target: the pods of
    a namespace name the same ServiceAccount, Node and ConfigMaps over and over, and a shared
    ref is one object to make and one the graph finds again by identity (``_add_edges``)."""
    scopes: dict[str, bool | None] = {}
    made: dict[tuple[str, str, str, str], ObjectRef] = {}

    def target(api_version: str, kind: str, value: Any, referrer: str | None
               ) -> ObjectRef | None:
        if isinstance(value, dict):
            name = value.get("name")
            namespace = value.get("namespace")
        else:
            name, namespace = value, None
        if not isinstance(name, str) or not name:
            return None
        if referrer is None:
            namespace = ""
        elif not isinstance(namespace, str) or not namespace:
            scoped = scopes.get(kind, _UNKNOWN)
            if scoped is _UNKNOWN:
                scoped = scopes[kind] = snapshot.is_cluster_scoped("", kind)
            if scoped is None:  # a kind the snapshot cannot place: whichever object exists
                namespace = resolve_namespace(snapshot, "", kind, name, referrer)
            else:
                namespace = "" if scoped else referrer
        ident = (api_version, kind, namespace, name)
        ref = made.get(ident)
        if ref is None:
            ref = made[ident] = ObjectRef(api_version, kind, namespace, name)
        return ref

    return target


def _pod_edges(obj: KubeObject, spec: dict[str, Any], target: _Target, out: list[Edge]) -> None:
    """Every reference of ``FIELD_REFS`` in one pod's ``spec``, in the order the lines' trie
    lists them (field by field as the lines first name them, list items in order)."""
    key = obj.key
    ns = obj.namespace
    value = spec.get("nodeName")
    if value is not None and (ref := target("v1", "Node", value, None)) is not None:
        out.append(Edge(key, ref, RUNS_ON, "/spec/nodeName"))
    value = spec.get("serviceAccountName")
    if value is not None and (ref := target("v1", "ServiceAccount", value, ns)) is not None:
        out.append(Edge(key, ref, USES, "/spec/serviceAccountName"))
    items = spec.get("imagePullSecrets")
    if isinstance(items, list):
        for i, item in enumerate(items):
            if item is not None and (ref := target("v1", "Secret", item, ns)) is not None:
                out.append(Edge(key, ref, USES, f"/spec/imagePullSecrets/{i}"))
    items = spec.get("volumes")
    if isinstance(items, list):
        for i, volume in enumerate(items):
            if isinstance(volume, dict):
                _volume_edges(key, ns, i, volume, target, out)
    for field in _CONTAINER_FIELDS:
        items = spec.get(field)
        if isinstance(items, list):
            for i, container in enumerate(items):
                if isinstance(container, dict):
                    _container_edges(key, ns, f"/spec/{field}/{i}", container, target, out)


def _volume_edges(key: Any, ns: str, i: int, volume: dict[str, Any], target: _Target,
                  out: list[Edge]) -> None:
    value = volume.get("configMap")
    if value is not None and (ref := target("v1", "ConfigMap", value, ns)) is not None:
        out.append(Edge(key, ref, USES, f"/spec/volumes/{i}/configMap"))
    value = volume.get("secret")
    if isinstance(value, dict):
        value = value.get("secretName")
        if value is not None and (ref := target("v1", "Secret", value, ns)) is not None:
            out.append(Edge(key, ref, USES, f"/spec/volumes/{i}/secret/secretName"))
    value = volume.get("projected")
    if isinstance(value, dict):
        sources = value.get("sources")
        if isinstance(sources, list):
            for j, source in enumerate(sources):
                if not isinstance(source, dict):
                    continue
                for field, kind in _PROJECTED:
                    value = source.get(field)
                    if value is not None and (ref := target("v1", kind, value, ns)) is not None:
                        out.append(Edge(key, ref, USES,
                                        f"/spec/volumes/{i}/projected/sources/{j}/{field}"))
    value = volume.get("persistentVolumeClaim")
    if isinstance(value, dict):
        value = value.get("claimName")
        if value is not None and \
                (ref := target("v1", "PersistentVolumeClaim", value, ns)) is not None:
            out.append(Edge(key, ref, USES, f"/spec/volumes/{i}/persistentVolumeClaim/claimName"))


def _container_edges(key: Any, ns: str, at: str, container: dict[str, Any], target: _Target,
                     out: list[Edge]) -> None:
    entries = container.get("envFrom")
    if isinstance(entries, list):
        for j, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            for field, kind in _ENV_FROM:
                value = entry.get(field)
                if value is not None and (ref := target("v1", kind, value, ns)) is not None:
                    out.append(Edge(key, ref, USES, f"{at}/envFrom/{j}/{field}"))
    entries = container.get("env")
    if isinstance(entries, list):
        for j, entry in enumerate(entries):
            source = entry.get("valueFrom") if isinstance(entry, dict) else None
            if not isinstance(source, dict):
                continue
            for field, kind in _VALUE_FROM:
                value = source.get(field)
                if value is not None and (ref := target("v1", kind, value, ns)) is not None:
                    out.append(Edge(key, ref, USES, f"{at}/env/{j}/valueFrom/{field}"))


def workload_edges(snapshot: Snapshot) -> Iterator[Edge]:
    """The edges of ``FIELD_REFS``: claims first, then pods (the lines' kinds in sorted
    order, as ``compile_refs`` visits them)."""
    target = _targets(snapshot)
    for obj in snapshot.of_kind("PersistentVolumeClaim", ""):
        spec = obj.raw.get("spec")
        if isinstance(spec, dict):
            value = spec.get("volumeName")
            if value is not None and \
                    (ref := target("v1", "PersistentVolume", value, None)) is not None:
                yield Edge(obj.key, ref, BINDS, "/spec/volumeName")
    out: list[Edge] = []
    for obj in snapshot.of_kind("Pod", ""):
        spec = obj.raw.get("spec")
        if isinstance(spec, dict):
            _pod_edges(obj, spec, target, out)
            yield from out
            out.clear()


EXTRACTOR = Extractor("workloads", workload_edges,
                      tuple(dict.fromkeys(ref.relation for ref in FIELD_REFS)),
                      reads=union(*(ref.reads() for ref in FIELD_REFS)))
"""Reads exactly the fields its lines name (``FieldRef.reads``): the walk follows no other."""
