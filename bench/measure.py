"""One measurement in a fresh interpreter: ``python -m bench.measure TASK FILE``.

The runner starts one process per measurement so that no run inherits another's heap, caches
or frozen GC generations, and so that ``ru_maxrss`` is the peak of exactly one task. Prints one
JSON line: wall seconds per phase, peak RSS, and the RSS before the task (interpreter and
imports), so the peak the task itself caused can be told apart from the interpreter's.

Tasks:
- ``orjson``    ``orjson.loads`` of the file (the JSON floor);
- ``yaml``      ``yaml.load_all`` with ``CSafeLoader`` over the file (the YAML floor);
- ``scan``      what ``kaudit scan FILE --format json`` does: load, graph, every rule, report.
"""

from __future__ import annotations

import resource
import sys
import time
from datetime import UTC, datetime
from typing import Any

import orjson
import yaml

NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)


def _rss_kib() -> int:
    """Current resident set size (Linux), to subtract the interpreter's share from the peak."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * resource.getpagesize() // 1024
    except OSError:  # pragma: no cover - not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def task_orjson(path: str) -> dict[str, Any]:
    start = time.perf_counter()
    with open(path, "rb") as fh:
        data = orjson.loads(fh.read())
    total = time.perf_counter() - start
    return {"total": total, "phases": {"parse": total}, "items": len(data.get("items", []))}


def task_yaml(path: str) -> dict[str, Any]:
    start = time.perf_counter()
    with open(path, encoding="utf-8") as fh:
        docs = [d for d in yaml.load_all(fh.read(), Loader=yaml.CSafeLoader) if d is not None]
    total = time.perf_counter() - start
    return {"total": total, "phases": {"parse": total}, "items": len(docs)}


def task_scan(path: str) -> dict[str, Any]:
    # Imported here so that the floors above do not pay for kaudit's imports in their RSS.
    from kaudit.engine import EngineSettings, run
    from kaudit.report import FORMATTERS, FormatOptions, Report
    from kaudit.rules.registry import load_catalogue
    from kaudit.snapshot.files import load_snapshot

    catalogue = load_catalogue([])
    phases: dict[str, float] = {}
    start = time.perf_counter()
    snapshot = load_snapshot([path])
    phases["load"] = time.perf_counter() - start
    mark = time.perf_counter()
    from kaudit.graph import build_graph
    graph = build_graph(snapshot)
    phases["graph"] = time.perf_counter() - mark
    mark = time.perf_counter()
    result = run(snapshot, catalogue, EngineSettings(now=NOW), graph=graph)
    phases["rules"] = time.perf_counter() - mark
    mark = time.perf_counter()
    report = Report(findings=result.findings, now=NOW, now_source="option",
                    sources=snapshot.sources, objects=len(snapshot), kinds=len(snapshot.kinds()),
                    gaps=snapshot.gaps, crashed=result.crashed)
    text = FORMATTERS["json"](report, FormatOptions(color=False, width=120))
    phases["report"] = time.perf_counter() - mark
    total = time.perf_counter() - start
    summary = orjson.loads(text)["summary"]
    return {"total": total, "phases": phases, "items": len(snapshot.objects),
            "findings": summary, "crashed": list(result.crashed)}


TASKS = {"orjson": task_orjson, "yaml": task_yaml, "scan": task_scan}


def main(argv: list[str]) -> int:
    task, path = argv
    # Warm the imports the task needs before the baseline reading.
    if task == "scan":
        import kaudit.cli.scan  # noqa: F401
    base = _rss_kib()
    out = TASKS[task](path)
    out["rss_base_kib"] = base
    out["rss_peak_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stdout.write(orjson.dumps(out).decode() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
