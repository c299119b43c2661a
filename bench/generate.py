"""Deterministic, realistic cluster dumps for the benchmark.

Objects come in "apps" the way a real cluster holds them: a Deployment owns two ReplicaSets
(the current one and a scaled-down previous revision), the current one owns three Pods; each
app has a Service, a ConfigMap, a Secret, a custom object (of one of the snapshot's CRDs,
owned by the Deployment) and an Event about one of its Pods. Namespaces and CRDs complete the
picture. A small, fixed share of objects is unhealthy (stuck deletions, owners re-created), so
rules do real work and produce findings instead of short-circuiting on a clean cluster.

Every unhealthy object is *planted* by a ``_plant_*`` function that both breaks the object and
states the findings the break must cause (``Expected``: rule code, severity, object, pointer,
related objects). ``generate_planted`` returns the objects with that list and ``planted``
returns the list alone in constant memory; ``python -m bench.planted SIZE`` scans the input and
compares the report with it one finding at a time. A finding the generator causes without
planting it (a side effect) is declared the same way, where it arises (``_name_collision``).

Everything is derived from ``random.Random(seed)`` and a fixed capture time: the same
``(count, seed)`` always produces byte-identical files.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import yaml

GENERATOR_VERSION = 2
"""Part of the cached files' names: bump it whenever the output changes."""
CAPTURED_AT = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)
APPS_PER_NAMESPACE = 20
CRD_GROUPS = ("example.org", "cert-manager.io", "monitoring.coreos.com", "acme.dev")
CRD_KINDS = ("Widget", "Certificate", "ServiceMonitor", "Gadget", "Backup", "Database")
IMAGES = ("nginx:1.25.3", "redis:7.2.4", "ghcr.io/acme/api:v2.14.1", "postgres:16.2",
          "quay.io/prometheus/node-exporter:v1.7.0", "registry.k8s.io/pause:3.9")
TIERS = ("frontend", "backend", "cache", "worker", "db")


def _ts(rng: random.Random, max_days: int = 90) -> str:
    delta = timedelta(seconds=rng.randrange(60, max_days * 86400))
    return (CAPTURED_AT - delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def _uid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _hash(rng: random.Random, n: int = 10) -> str:
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(rng.choice(alphabet) for _ in range(n))


def _meta(rng: random.Random, name: str, namespace: str | None, labels: dict[str, str],
          **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta.update({
        "uid": _uid(rng),
        "resourceVersion": str(rng.randrange(1000, 99_999_999)),
        "creationTimestamp": _ts(rng),
        "labels": dict(labels),
    })
    meta.update(extra)
    return meta


def _owner(kind: str, api_version: str, meta: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "name": meta["name"], "uid": meta["uid"],
            "controller": True, "blockOwnerDeletion": True}


def _container(rng: random.Random, app: str) -> dict[str, Any]:
    port = rng.choice((80, 8080, 6379, 5432, 9100, 3000))
    return {
        "name": app,
        "image": rng.choice(IMAGES),
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "env": [{"name": "APP_NAME", "value": app},
                {"name": "LOG_LEVEL", "value": rng.choice(("info", "debug", "warn"))},
                {"name": "CONFIG_PATH", "value": "/etc/app/config.yaml"}],
        "envFrom": [{"configMapRef": {"name": f"{app}-config"}}],
        "resources": {"requests": {"cpu": f"{rng.choice((50, 100, 250))}m",
                                   "memory": f"{rng.choice((64, 128, 256))}Mi"},
                      "limits": {"cpu": "1", "memory": f"{rng.choice((256, 512, 1024))}Mi"}},
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": port, "scheme": "HTTP"},
                           "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1,
                           "failureThreshold": 3},
        "volumeMounts": [{"name": "config", "mountPath": "/etc/app", "readOnly": True},
                         {"name": "kube-api-access", "mountPath":
                          "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": True}],
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }


def _pod_spec(rng: random.Random, app: str) -> dict[str, Any]:
    return {
        "containers": [_container(rng, app)],
        "volumes": [{"name": "config", "configMap": {"name": f"{app}-config",
                                                     "defaultMode": 420}},
                    {"name": "secret", "secret": {"secretName": f"{app}-secret"}}],
        "restartPolicy": "Always",
        "dnsPolicy": "ClusterFirst",
        "serviceAccountName": "default",
        "schedulerName": "default-scheduler",
        "terminationGracePeriodSeconds": 30,
        "securityContext": {"runAsNonRoot": True, "fsGroup": 2000},
    }


def _conditions(rng: random.Random, types: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"type": t, "status": "True", "lastTransitionTime": _ts(rng, 30)} for t in types]


ObjectId = tuple[str, str, str, str]
"""``(apiVersion, kind, namespace, name)`` of an object, namespace ``""`` when cluster-scoped:
how a finding's ``object`` and ``related`` entries name it."""


def object_id(obj: dict[str, Any]) -> ObjectId:
    meta = obj["metadata"]
    return obj["apiVersion"], obj["kind"], meta.get("namespace", ""), meta["name"]


@dataclass(frozen=True, order=True)
class Expected:
    """One finding a planted fault must cause. ``code``, ``severity``, ``obj`` and ``pointer``
    identify it in the report (at most one finding may carry them); ``related`` are objects
    the finding must name among its related ones (the re-created owner, ...); ``fault`` says
    which plant caused it, for the messages of ``bench.planted``. With ``absent`` set, the
    finding must NOT be reported, for the reason it gives (a deletion still inside the rule's
    grace): the plant did not make a fault that rule reports, and the check names it."""

    code: str
    severity: str
    obj: ObjectId
    pointer: str
    related: tuple[ObjectId, ...] = ()
    fault: str = ""
    absent: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "object": list(self.obj),
                "pointer": self.pointer, "related": [list(r) for r in self.related],
                "fault": self.fault, **({"absent": self.absent} if self.absent else {})}


Plant = Callable[[dict[str, Any], dict[str, Any]], list[Expected]]
"""Called with the finished planted object and its owner: the findings it must cause."""


def _condition_pointer(obj: dict[str, Any], kind: str) -> str:
    types = [c["type"] for c in obj["status"]["conditions"]]
    return f"/status/conditions/{types.index(kind)}"


@functools.cache
def _rule_grace(code: str) -> timedelta:
    """The default ``grace`` of rule ``code``: a deletion younger than it is work in progress,
    not a fault, so a plant that young must not cause that rule's finding. Read from the rule
    itself, so the two cannot disagree."""
    from kaudit.rules.registry import load_catalogue

    rule = next(r for r in load_catalogue([]).rules if r.code == code)
    grace: timedelta = rule.Options().grace
    return grace


def _deleting_for(obj: dict[str, Any]) -> timedelta:
    deleted = datetime.strptime(obj["metadata"]["deletionTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
    return CAPTURED_AT - deleted.replace(tzinfo=UTC)


def _plant_stuck_deletion(rng: random.Random, meta: dict[str, Any]) -> Plant:
    """A Pod deleted between a minute and two days before the capture and still held by a
    finalizer its controller never removes (``example.org/drain``), while its status keeps
    reporting Ready=True. Must cause FN001 stuck-deletion (error) at the finalizer, and ST001
    ready-while-deleting (warning) at the Ready condition, each once the deletion is older
    than that rule's ``grace`` (15m and 2m by default); a younger deletion is still normal
    work and its finding is listed as ``absent`` (about 1 in 200 of these plants, for FN001)."""
    meta["deletionTimestamp"] = _ts(rng, 2)
    meta["finalizers"] = ["example.org/drain"]
    finalizer = len(meta["finalizers"]) - 1

    def expected(pod: dict[str, Any], owner: dict[str, Any]) -> list[Expected]:
        age = _deleting_for(pod)
        out = []
        for code, severity, pointer in (
                ("FN001", "error", f"/metadata/finalizers/{finalizer}"),
                ("ST001", "warning", _condition_pointer(pod, "Ready"))):
            grace = _rule_grace(code)
            absent = "" if age >= grace else (
                f"deleted {age} before the capture, inside {code}'s grace of {grace}")
            out.append(Expected(code, severity, object_id(pod), pointer,
                                fault="stuck-deletion", absent=absent))
        return out
    return expected


def _plant_owner_recreated(rng: random.Random, meta: dict[str, Any]) -> Plant:
    """A Pod whose owner (its ReplicaSet) was deleted and re-created under the same name: the
    ownerReference still carries the old uid. Must cause ST004 dangling-reference (warning) at
    that ownerReference, naming the live ReplicaSet."""
    meta["ownerReferences"] = [{**meta["ownerReferences"][0], "uid": _uid(rng)}]

    def expected(pod: dict[str, Any], owner: dict[str, Any]) -> list[Expected]:
        return [Expected("ST004", "warning", object_id(pod), "/metadata/ownerReferences/0",
                         related=(object_id(owner),), fault="owner-recreated")]
    return expected


def _name_collision(pod: dict[str, Any], siblings: list[dict[str, Any]],
                    caused: list[Expected]) -> list[Expected]:
    """Not planted, a side effect: a Pod is named after its ReplicaSet plus five random
    characters (as the ReplicaSet controller names them), and two Pods of one ReplicaSet can
    draw the same five (about 1 in 4.8M per app; seed 1 does at 1M objects: team-3573/
    worker-71475-t5l5w9zvs6-gsmmz). The snapshot then defines one identity twice with
    different content, which UQ001 duplicate-object rightly reports (error: one file) on the
    later definition, naming the first; the other rules judge the identity's first
    definition, so whatever a plant on the later Pod would cause is ``absent`` (shadowed).
    A third Pod of the same name would make UQ001 report one identity twice, which
    ``bench.planted`` refuses to expect rather than count."""
    if all(s["metadata"]["name"] != pod["metadata"]["name"] for s in siblings):
        return caused
    shadowed = "shadowed: an earlier Pod has the same name, and rules judge the first definition"
    return [*(dataclasses.replace(e, absent=e.absent or shadowed) for e in caused),
            Expected("UQ001", "error", object_id(pod), "", related=(object_id(pod),),
                     fault="pod-name-collision (side effect)")]


def crds() -> list[dict[str, Any]]:
    """One CRD per (group, kind) the custom objects use."""
    out = []
    rng = random.Random(0)
    for i, kind in enumerate(CRD_KINDS):
        group = CRD_GROUPS[i % len(CRD_GROUPS)]
        plural = kind.lower() + "s"
        out.append({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": _meta(rng, f"{plural}.{group}", None, {"app.kubernetes.io/part-of": group}),
            "spec": {
                "group": group,
                "names": {"kind": kind, "plural": plural, "singular": kind.lower(),
                          "listKind": f"{kind}List"},
                "scope": "Namespaced",
                "versions": [{"name": "v1", "served": True, "storage": True,
                              "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                  "spec": {"type": "object",
                                           "x-kubernetes-preserve-unknown-fields": True},
                                  "status": {"type": "object",
                                             "x-kubernetes-preserve-unknown-fields": True}}}}}],
            },
            "status": {"acceptedNames": {"kind": kind, "plural": plural},
                       "storedVersions": ["v1"],
                       "conditions": _conditions(rng, ("NamesAccepted", "Established"))},
        })
    return out


def app_objects(rng: random.Random, namespace: str, index: int,
                planted: list[Expected] | None = None) -> list[dict[str, Any]]:
    """The eleven objects of one app, owners before dependents (as ``kubectl get`` lists).
    The findings its planted faults must cause are appended to ``planted``."""
    tier = rng.choice(TIERS)
    app = f"{tier}-{index:05d}"
    labels = {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": namespace,
              "tier": tier}
    deploy_meta = _meta(rng, app, namespace, labels, generation=rng.randrange(1, 40),
                        annotations={"deployment.kubernetes.io/revision": "2"})
    deploy = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": deploy_meta,
              "spec": {"replicas": 3, "selector": {"matchLabels": {"app.kubernetes.io/name": app}},
                       "template": {"metadata": {"labels": labels}, "spec": _pod_spec(rng, app)},
                       "strategy": {"type": "RollingUpdate", "rollingUpdate": {
                           "maxSurge": "25%", "maxUnavailable": "25%"}}},
              "status": {"observedGeneration": deploy_meta["generation"], "replicas": 3,
                         "readyReplicas": 3, "availableReplicas": 3, "updatedReplicas": 3,
                         "conditions": _conditions(rng, ("Available", "Progressing"))}}
    out: list[dict[str, Any]] = [deploy]
    replica_sets = []
    for revision, replicas in ((1, 0), (2, 3)):
        rs_labels = {**labels, "pod-template-hash": _hash(rng)}
        rs_meta = _meta(rng, f"{app}-{rs_labels['pod-template-hash']}", namespace, rs_labels,
                        annotations={"deployment.kubernetes.io/revision": str(revision)},
                        ownerReferences=[_owner("Deployment", "apps/v1", deploy_meta)])
        rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": rs_meta,
              "spec": {"replicas": replicas, "selector": {"matchLabels": rs_labels},
                       "template": {"metadata": {"labels": rs_labels},
                                    "spec": _pod_spec(rng, app)}},
              "status": {"replicas": replicas, "readyReplicas": replicas,
                         "availableReplicas": replicas, "observedGeneration": 1}}
        replica_sets.append(rs)
        out.append(rs)
    current = replica_sets[-1]["metadata"]
    pods = []
    for number in range(3):
        pod_labels = {**labels, "pod-template-hash": current["labels"]["pod-template-hash"]}
        extra: dict[str, Any] = {"ownerReferences": [_owner("ReplicaSet", "apps/v1", current)]}
        # The first two apps always carry one problem each, so even a tiny run has findings.
        roll = rng.random() if index > 1 or number else 0.005 + index * 0.006
        plant: Plant | None = None
        if roll < 0.01:  # stuck behind a finalizer (deleted a minute to two days ago)
            plant = _plant_stuck_deletion(rng, extra)
        elif roll < 0.015:  # owner re-created: the reference carries a stale uid
            plant = _plant_owner_recreated(rng, extra)
        pod_meta = _meta(rng, f"{current['name']}-{_hash(rng, 5)}", namespace, pod_labels,
                         **extra)
        started = _ts(rng, 30)
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta,
               "spec": {**_pod_spec(rng, app), "nodeName": f"node-{rng.randrange(200):03d}"},
               "status": {"phase": "Running",
                          "hostIP": f"10.0.{rng.randrange(256)}.{rng.randrange(256)}",
                          "podIP": f"10.244.{rng.randrange(256)}.{rng.randrange(256)}",
                          "startTime": started, "qosClass": "Burstable",
                          "conditions": _conditions(rng, ("Initialized", "Ready",
                                                          "ContainersReady", "PodScheduled")),
                          "containerStatuses": [{
                              "name": app, "ready": True, "restartCount": rng.randrange(3),
                              "image": rng.choice(IMAGES), "started": True,
                              "imageID": "sha256:" + f"{rng.getrandbits(256):064x}",
                              "containerID": "containerd://" + f"{rng.getrandbits(256):064x}",
                              "state": {"running": {"startedAt": started}}}]}}
        if planted is not None:
            caused = plant(pod, replica_sets[-1]) if plant is not None else []
            planted.extend(_name_collision(pod, pods, caused))
        pods.append(pod)
        out.append(pod)
    out.append({"apiVersion": "v1", "kind": "Service",
                "metadata": _meta(rng, app, namespace, labels),
                "spec": {"type": "ClusterIP", "selector": {"app.kubernetes.io/name": app},
                         "clusterIP": f"10.96.{rng.randrange(256)}.{rng.randrange(256)}",
                         "ports": [{"name": "http", "port": 80, "targetPort": "http",
                                    "protocol": "TCP"}],
                         "sessionAffinity": "None"}})
    out.append({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": _meta(rng, f"{app}-config", namespace, labels),
                "data": {"config.yaml": f"server:\n  port: 8080\n  name: {app}\n"
                                        f"log:\n  level: info\nfeatures: [a, b, c]\n",
                         "LOG_FORMAT": "json", "REPLICAS": "3"}})
    out.append({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": _meta(rng, f"{app}-secret", namespace, labels),
                "data": {"password": base64.b64encode(_hash(rng, 24).encode()).decode(),
                         "username": base64.b64encode(app.encode()).decode()}})
    index_kind = index % len(CRD_KINDS)
    kind = CRD_KINDS[index_kind]
    group = CRD_GROUPS[index_kind % len(CRD_GROUPS)]
    out.append({"apiVersion": f"{group}/v1", "kind": kind,
                "metadata": _meta(rng, app, namespace, labels,
                                  ownerReferences=[_owner("Deployment", "apps/v1", deploy_meta)],
                                  finalizers=[f"{group}/cleanup"], generation=1),
                "spec": {"target": {"name": app, "port": 80}, "interval": "30s",
                         "secretRef": {"name": f"{app}-secret"}},
                "status": {"observedGeneration": 1,
                           "conditions": _conditions(rng, ("Ready",))}})
    pod = pods[rng.randrange(len(pods))]["metadata"]
    out.append({"apiVersion": "v1", "kind": "Event",
                "metadata": _meta(rng, f"{pod['name']}.{rng.getrandbits(64):016x}", namespace,
                                  {}),
                "involvedObject": {"apiVersion": "v1", "kind": "Pod", "namespace": namespace,
                                   "name": pod["name"], "uid": pod["uid"]},
                "reason": "Pulled", "type": "Normal", "count": 1,
                "message": f"Container image \"{rng.choice(IMAGES)}\" already present on machine",
                "source": {"component": "kubelet", "host": "node-001"},
                "firstTimestamp": _ts(rng, 30), "lastTimestamp": _ts(rng, 30)})
    return out


def _chunks(count: int, seed: int) -> Iterator[tuple[list[dict[str, Any]], list[Expected]]]:
    """The objects of ``generate(count, seed)`` in order, a namespace or an app at a time, each
    chunk with the findings its planted faults must cause. The last app may be cut short; the
    findings of the objects cut off are dropped with them."""
    rng = random.Random(seed)
    made = 0
    first = crds()
    made += len(first)
    yield first[:count], []
    index = 0
    while made < count:
        namespace = f"team-{index // APPS_PER_NAMESPACE:04d}"
        chunk: list[dict[str, Any]] = []
        if index % APPS_PER_NAMESPACE == 0:
            chunk.append({"apiVersion": "v1", "kind": "Namespace",
                          "metadata": _meta(rng, namespace, None,
                                            {"kubernetes.io/metadata.name": namespace}),
                          "spec": {"finalizers": ["kubernetes"]},
                          "status": {"phase": "Active"}})
        planted: list[Expected] = []
        chunk.extend(app_objects(rng, namespace, index, planted))
        index += 1
        if made + len(chunk) > count:
            cut = {object_id(o) for o in chunk[count - made:]}
            chunk = chunk[:count - made]
            planted = [e for e in planted if e.obj not in cut]
        made += len(chunk)
        yield chunk, planted


def generate_planted(count: int, seed: int = 1) -> tuple[list[dict[str, Any]], list[Expected]]:
    """``generate(count, seed)`` and the findings its planted faults must cause."""
    objects: list[dict[str, Any]] = []
    expected: list[Expected] = []
    for chunk, planted_here in _chunks(count, seed):
        objects.extend(chunk)
        expected.extend(planted_here)
    return objects, expected


def generate(count: int, seed: int = 1) -> list[dict[str, Any]]:
    """Exactly ``count`` objects (the last app may be cut short)."""
    return generate_planted(count, seed)[0]


def planted(count: int, seed: int = 1) -> list[Expected]:
    """The findings the planted faults of ``generate(count, seed)`` must cause, generating
    the objects a chunk at a time and dropping them (1M objects would hold ~10 GB at once)."""
    return [e for _, planted_here in _chunks(count, seed) for e in planted_here]


def snapshot_json(objects: list[dict[str, Any]]) -> bytes:
    """A saved snapshot (``kind: KauditSnapshot``) as ``kaudit snapshot`` writes it."""
    kinds = sorted({(o["apiVersion"].rpartition("/")[0], o["kind"]) for o in objects})
    document = {"kind": "KauditSnapshot", "version": 1,
                "capturedAt": CAPTURED_AT.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "source": {"context": "bench"},
                "coverage": {"objects": len(objects), "kinds": len(kinds), "gaps": [],
                             "read": [f"{g}/{k}" for g, k in kinds]},
                "items": objects}
    return orjson.dumps(document)


def iter_yaml(objects: list[dict[str, Any]]) -> Iterator[str]:
    """One ``---`` document per object, block style, as ``kubectl get -o yaml`` per object."""
    for obj in objects:
        yield "---\n"
        yield yaml.dump(obj, Dumper=_NoAliasDumper, default_flow_style=False, sort_keys=False,
                        width=1000)


class _NoAliasDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """kubectl never writes anchors and aliases; PyYAML would for a dict used twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def input_paths(count: int, seed: int, folder: Path) -> tuple[Path, Path]:
    """Where ``write_inputs`` keeps the JSON and the YAML input of ``(count, seed)``."""
    stem = f"bench-{count}-s{seed}-g{GENERATOR_VERSION}"
    return folder / f"{stem}.json", folder / f"{stem}.yaml"


def write_inputs(count: int, seed: int, folder: Path,
                 formats: tuple[str, ...] = ("json", "yaml")) -> tuple[Path, Path]:
    """``bench-<count>-s<seed>-g<version>.json`` and ``.yaml`` in ``folder``, reused when
    present (generating 100k objects as YAML takes most of a minute). Only the ``formats``
    asked for are written (1M objects as YAML would take most of an hour); both paths are
    returned either way."""
    folder.mkdir(parents=True, exist_ok=True)
    json_path, yaml_path = input_paths(count, seed, folder)
    wanted = {"json": json_path, "yaml": yaml_path}
    if all(wanted[f].exists() for f in formats):
        return json_path, yaml_path
    objects = generate(count, seed)
    if "json" in formats and not json_path.exists():
        tmp = json_path.with_suffix(".json.tmp")
        tmp.write_bytes(snapshot_json(objects))
        tmp.replace(json_path)
    if "yaml" in formats and not yaml_path.exists():
        tmp = yaml_path.with_suffix(".yaml.tmp")
        with tmp.open("w", encoding="utf-8") as out:
            out.writelines(iter_yaml(objects))
        tmp.replace(yaml_path)
    return json_path, yaml_path


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.generate SIZE``: write (or reuse) the inputs and print their paths.
    ``bench.planted`` runs it in its own process, so that the ~10 GB 1M objects take while
    being written are returned to the system before the scan is measured."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.generate",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("size", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", nargs="+", choices=("json", "yaml"), default=["json"])
    parser.add_argument("--folder", type=Path,
                        default=Path(__file__).resolve().parent / "results" / "inputs")
    args = parser.parse_args(argv)
    for path in write_inputs(args.size, args.seed, args.folder, tuple(args.formats)):
        if path.exists():
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
