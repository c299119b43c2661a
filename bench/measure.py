"""One measurement in a fresh interpreter: ``python -m bench.measure TASK FILE``.

The runner starts one process per measurement so that no run inherits another's heap, caches
or frozen GC generations, and so that ``ru_maxrss`` is the peak of exactly one task. Prints one
JSON line: wall seconds per phase, peak RSS, and the RSS before the task (interpreter and
imports), so the peak the task itself caused can be told apart from the interpreter's.

Tasks:
- ``orjson``    ``orjson.loads`` of the file (the JSON floor), cyclic collector off;
- ``orjson+gc`` the same with the collector on (as a bare call runs);
- ``yaml``      ``yaml.load_all`` with ``CSafeLoader`` over the file (the YAML floor),
                collector off;
- ``yaml+gc``   the same with the collector on;
- ``scan``      what ``kaudit scan FILE --format json`` does: load, graph, every rule, report.
"""

from __future__ import annotations

import gc
import resource
import sys
import time
from datetime import UTC, datetime
from typing import Any

import orjson
import yaml

NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)
_IMPORT_CPU: dict[str, float] = {}


def _rss_kib() -> int:
    """Current resident set size (Linux), to subtract the interpreter's share from the peak."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * resource.getpagesize() // 1024
    except OSError:  # pragma: no cover - not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class _Clock:
    """Wall and CPU seconds per phase. CPU time is what the code costs; wall time also holds
    whatever else the (shared) machine was doing meanwhile."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._start = self._mark = (time.perf_counter(), time.process_time())

    def phase(self, name: str) -> None:
        now = (time.perf_counter(), time.process_time())
        self.wall[name] = now[0] - self._mark[0]
        self.cpu[name] = now[1] - self._mark[1]
        self._mark = now

    def result(self, **extra: Any) -> dict[str, Any]:
        now = (time.perf_counter(), time.process_time())
        return {"total": now[0] - self._start[0], "cpu": now[1] - self._start[1],
                "phases": self.wall, "cpu_phases": self.cpu, **extra}


def task_orjson(path: str, collect: bool = False) -> dict[str, Any]:
    """The JSON floor. By default with the cyclic collector off, as kaudit parses: with it on,
    orjson itself slows down with the heap (2.5x at 100k objects) and the ratio would flatter
    kaudit; ``orjson+gc`` measures it as a plain call would run."""
    if not collect:
        gc.disable()
    clock = _Clock()
    with open(path, "rb") as fh:
        data = orjson.loads(fh.read())
    clock.phase("parse")
    return clock.result(items=len(data.get("items", [])))


def task_yaml(path: str, collect: bool = False) -> dict[str, Any]:
    """The YAML floor: ``yaml.load_all`` with ``CSafeLoader`` (collector off unless
    ``yaml+gc``, as for ``orjson``)."""
    if not collect:
        gc.disable()
    clock = _Clock()
    with open(path, encoding="utf-8") as fh:
        docs = [d for d in yaml.load_all(fh.read(), Loader=yaml.CSafeLoader) if d is not None]
    clock.phase("parse")
    return clock.result(items=len(docs))


def task_scan(path: str) -> dict[str, Any]:
    # Imported here so that the floors above do not pay for kaudit's imports in their RSS.
    from kaudit.engine import EngineSettings, projection_for, run
    from kaudit.graph import build_graph
    from kaudit.report import FORMATTERS, FormatOptions, Report
    from kaudit.rules.registry import load_catalogue
    from kaudit.snapshot.files import load_snapshot

    catalogue = load_catalogue([])
    projection = projection_for(catalogue)  # as ``kaudit scan`` loads: lean objects
    clock = _Clock()
    snapshot = load_snapshot([path], projection=projection)
    clock.phase("load")
    extractor_costs: dict[str, float] = {}
    graph = build_graph(snapshot, costs=extractor_costs)
    clock.phase("graph")
    rule_costs: dict[str, float] = {}
    result = run(snapshot, catalogue, EngineSettings(now=NOW, costs=rule_costs), graph=graph)
    clock.phase("rules")
    report = Report(findings=result.findings, now=NOW, now_source="option",
                    sources=snapshot.sources, objects=len(snapshot), kinds=len(snapshot.kinds()),
                    gaps=snapshot.gaps, crashed=result.crashed)
    text = FORMATTERS["json"](report, FormatOptions(color=False, width=120))
    clock.phase("report")
    return clock.result(items=len(snapshot.objects), findings=orjson.loads(text)["summary"],
                        crashed=list(result.crashed), rule_cpu=rule_costs,
                        extractor_cpu=extractor_costs,
                        import_cpu=_IMPORT_CPU.get("cpu", 0.0))


TASKS = {
    "orjson": task_orjson,
    "orjson+gc": lambda path: task_orjson(path, collect=True),
    "yaml": task_yaml,
    "yaml+gc": lambda path: task_yaml(path, collect=True),
    "scan": task_scan,
}


def main(argv: list[str]) -> int:
    task, path = argv
    # Warm the imports the task needs before the baseline reading (timed: start-up cost).
    if task == "scan":
        started = time.process_time()
        import kaudit.cli.scan  # noqa: F401
        _IMPORT_CPU["cpu"] = time.process_time() - started
    base = _rss_kib()
    out = TASKS[task](path)
    out["rss_base_kib"] = base
    out["rss_peak_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stdout.write(orjson.dumps(out).decode() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
