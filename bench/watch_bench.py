"""What one change costs ``kaudit watch`` on a big cluster, and the memory it holds.

    .venv/bin/python -m bench.watch_bench [--objects 100000] [--changes 5]

The benchmark's generated cluster (``bench/generate.py``) is loaded into the watch command's
object store as a list would; then one Pod is modified ``--changes`` times, each as one watch
event followed by the evaluation it triggers (the store's snapshot, the graph, every rule, the
report and the finding diff); then one resync without changes (the rules alone, the graph
reused). Reported per change: the event's cost in the store, the evaluation's CPU seconds, the
share of a full garbage collection (every 25th evaluation, ``kaudit.watch.observer.reclaim``),
and the resident memory held. Timings are reported, never asserted (the machine is shared).
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
from datetime import timedelta

from bench.generate import CAPTURED_AT, generate
from kaudit.engine import EngineSettings
from kaudit.live.discovery import ApiResource
from kaudit.live.listing import ListOutcome
from kaudit.live.watch import WatchEvent
from kaudit.rules.registry import load_catalogue
from kaudit.snapshot import KubeObject, SourceInfo
from kaudit.snapshot.collector import collector_paused
from kaudit.watch.observer import Observer
from kaudit.watch.store import ObjectStore


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=5)
    args = parser.parse_args(argv)

    base = _rss_mib()
    raw = generate(args.objects)
    by_type: dict[ApiResource, list[KubeObject]] = {}
    with collector_paused():
        for item in raw:
            group, _, version = item["apiVersion"].rpartition("/")
            res = ApiResource(group, version, item["kind"].lower() + "s", item["kind"],
                              bool(item["metadata"].get("namespace")))
            by_type.setdefault(res, []).append(KubeObject(item))
    del raw
    store = ObjectStore(sorted(by_type), (), SourceInfo("live", context="bench"), None)
    for res, objects in by_type.items():
        store.replace(res, ListOutcome(res, objects))
    gc.collect()
    held = _rss_mib() - base
    observer = Observer(load_catalogue([]), EngineSettings(now=CAPTURED_AT),
                        compare_after=timedelta(seconds=1), log=lambda line: None)
    pod_type = next(r for r in by_type if r.kind == "Pod")
    pod = by_type[pod_type][0]
    when = CAPTURED_AT
    snapshot, version = store.snapshot(when)
    observer.evaluate(snapshot, version)  # the first evaluation, as after the initial list
    print(f"{args.objects} objects in {len(by_type)} types; the store holds {held:.0f} MiB "
          "(objects as parsed)")
    print("change  event_us  snapshot_s  evaluate_s  of_which_collect_s  total_cpu_s  rss_mib")
    for n in range(1, args.changes + 1):
        changed = {**pod.raw, "metadata": {**pod.raw["metadata"], "resourceVersion": str(n),
                                          "labels": {"bench-change": str(n)}}}
        cpu0, wall0 = time.process_time(), time.perf_counter()
        store.apply(pod_type, 0, WatchEvent("MODIFIED", KubeObject(changed), str(n)))
        event_us = (time.perf_counter() - wall0) * 1e6
        cpu1 = time.process_time()
        when += timedelta(seconds=2)
        snapshot, version = store.snapshot(when)
        cpu2 = time.process_time()
        observer.evaluate(snapshot, version)  # includes the collection after it
        cpu3 = time.process_time()
        print(f"{n:6d}  {event_us:8.0f}  {cpu2 - cpu1:10.2f}  {cpu3 - cpu2:10.2f}  "
              f"{observer.reclaim_seconds:18.2f}  {cpu3 - cpu0:11.2f}  "
              f"{_rss_mib() - base:7.0f}")
    when += timedelta(minutes=1)
    cpu0 = time.process_time()
    observer.refresh(version, when)
    print(f"resync without changes (rules only, graph reused): "
          f"{time.process_time() - cpu0:.2f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
