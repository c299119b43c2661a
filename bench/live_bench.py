"""Live listing speed: kaudit's read of a cluster vs. raw paginated GETs of the same pages.

    .venv/bin/python -m bench.live_bench [--objects 50000] [--page-size 500] [--rounds 3]

The loopback API server (``tests/live/apiserver.py``) runs in another process and serves every
page from a cache after its first request, so both clients see the same server cost. The
baseline is the floor for any client: sequential ``urllib3`` GETs following ``continue`` and
``orjson.loads`` of each page, with the garbage collector paused (as kaudit pauses it). kaudit's
listing time is discovery plus concurrent paged lists with the default QPS limit, Secrets as
metadata, every object wrapped as a ``KubeObject``; the whole ``read_cluster`` (kubeconfig and
the indexed ``Snapshot`` too) is reported beside it. Target (DESIGN.md §5): listing <= 1.5x the
baseline. Not a pass/fail test: timings vary by
machine.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import orjson
import urllib3

from kaudit.live import LiveOptions, read_cluster
from tests.live.apiserver import Cluster, LoopbackAPIServer, Resource
from tests.live.conftest import write_kubeconfig

# Share of each type in the generated cluster (the rest are pods).
MIX = {"replicasets": 0.1, "configmaps": 0.1, "services": 0.05, "secrets": 0.05}


def _meta(kind: str, i: int, ns: str, **extra: Any) -> dict[str, Any]:
    return {"name": f"{kind.lower()}-{i}", "namespace": ns, "uid": f"{kind}-{i:08d}",
            "resourceVersion": str(1000 + i), "creationTimestamp": "2024-01-01T00:00:00Z",
            "labels": {"app": f"app-{i % 500}", "tier": "web"}, **extra}


def _pod(i: int) -> dict[str, Any]:
    ns = f"ns-{i % 40}"
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": _meta("Pod", i, ns, ownerReferences=[{
            "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"replicaset-{i // 10}",
            "uid": f"ReplicaSet-{i // 10:08d}", "controller": True,
            "blockOwnerDeletion": True}]),
        "spec": {"nodeName": f"node-{i % 50}", "serviceAccountName": "default",
                 "containers": [{"name": "app", "image": "registry.example/app:1.2.3",
                                 "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                                 "env": [{"name": "MODE", "value": "prod"}],
                                 "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                                 "volumeMounts": [{"name": "cfg", "mountPath": "/etc/app"}]}],
                 "volumes": [{"name": "cfg", "configMap": {"name": f"configmap-{i % 100}"}}]},
        "status": {"phase": "Running", "podIP": f"10.0.{i // 250 % 250}.{i % 250}",
                   "conditions": [{"type": t, "status": "True",
                                   "lastTransitionTime": "2024-01-01T00:00:10Z"}
                                  for t in ("Initialized", "Ready", "ContainersReady",
                                            "PodScheduled")]},
    }


def build(objects: int) -> Cluster:
    counts = {k: int(objects * share) for k, share in MIX.items()}
    pods = objects - sum(counts.values())
    return Cluster(resources=[
        Resource("", "v1", "pods", "Pod", True, [_pod(i) for i in range(pods)]),
        Resource("", "v1", "configmaps", "ConfigMap", True, [
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("ConfigMap", i, "ns-0"),
             "data": {"app.yaml": "mode: prod\nreplicas: 3\n" * 4}}
            for i in range(counts["configmaps"])]),
        Resource("", "v1", "services", "Service", True, [
            {"apiVersion": "v1", "kind": "Service", "metadata": _meta("Service", i, "ns-1"),
             "spec": {"selector": {"app": f"app-{i}"}, "ports": [{"port": 80}]}}
            for i in range(counts["services"])]),
        Resource("", "v1", "secrets", "Secret", True, [
            {"apiVersion": "v1", "kind": "Secret", "metadata": _meta("Secret", i, "ns-2"),
             "type": "Opaque", "data": {"token": "c2VjcmV0"}}
            for i in range(counts["secrets"])]),
        Resource("apps", "v1", "replicasets", "ReplicaSet", True, [
            {"apiVersion": "apps/v1", "kind": "ReplicaSet",
             "metadata": _meta("ReplicaSet", i, f"ns-{i % 40}"),
             "spec": {"replicas": 10, "selector": {"matchLabels": {"app": f"app-{i}"}}}}
            for i in range(counts["replicasets"])]),
    ])


def _serve(objects: int, conn: Connection) -> None:
    server = LoopbackAPIServer(build(objects), cache_pages=True).start()
    conn.send(server.url)
    conn.recv()  # block until told to stop
    server.stop()


def raw_list(url: str, page_size: int, paths: list[str]) -> int:
    """The floor: sequential paginated GETs, each page parsed with orjson."""
    http = urllib3.PoolManager(retries=False)
    count = 0
    for path in paths:
        token = ""
        while True:
            query = f"?limit={page_size}" + (f"&continue={token}" if token else "")
            page = orjson.loads(http.request("GET", url + path + query).data)
            count += len(page["items"])
            token = page["metadata"].get("continue", "")
            if not token:
                break
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objects", type=int, default=50_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(target=_serve, args=(args.objects, child), daemon=True)
    process.start()
    url = parent.recv()
    paths = ["/api/v1/pods", "/api/v1/configmaps", "/api/v1/services", "/api/v1/secrets",
             "/apis/apps/v1/replicasets"]
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = write_kubeconfig(Path(tmp) / "kubeconfig", url)
        options = LiveOptions(kubeconfig=str(kubeconfig), page_size=args.page_size,
                              progress=False)
        raw_list(url, args.page_size, paths)  # warm the server's page cache
        read_cluster(options)
        gc.unfreeze()
        raw_times, kaudit_times, listing_times = [], [], []
        for _ in range(args.rounds):
            gc.collect()
            gc.disable()
            start = time.perf_counter()
            raw_count = raw_list(url, args.page_size, paths)
            raw_times.append(time.perf_counter() - start)
            gc.enable()
            gc.collect()
            start = time.perf_counter()
            read = read_cluster(options)
            kaudit_times.append(time.perf_counter() - start)
            listing_times.append(read.seconds["discovery"] + read.seconds["listing"])
            gc.unfreeze()
    parent.send("stop")
    process.join(timeout=10)
    raw, ours, listing = min(raw_times), min(kaudit_times), min(listing_times)
    print(f"objects listed:         raw {raw_count}, kaudit {len(read.snapshot)} "
          f"({read.requests} requests, page size {args.page_size})")
    print(f"raw GETs + orjson:      {raw:.3f} s (best of {args.rounds})")
    print(f"kaudit listing:         {listing:.3f} s  ratio {listing / raw:.2f}x "
          "(discovery + paged lists + objects; target <= 1.5x)")
    print(f"kaudit read_cluster:    {ours:.3f} s  ratio {ours / raw:.2f}x "
          "(also kubeconfig and the indexed Snapshot)")


if __name__ == "__main__":
    main()
