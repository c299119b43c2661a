"""Scale benchmark: ``python -m bench.run --sizes 10000 100000``.

For every size it generates (or reuses) a saved JSON snapshot and a multi-document YAML dump of
the same objects (``bench/generate.py``), then measures each task in a fresh subprocess
(``bench/measure.py``): the parser floors (``orjson.loads``; ``yaml.load_all`` with
``CSafeLoader``) and kaudit's full scan (load, graph, every rule, JSON report) of each file.
It prints a table and the DESIGN.md §5 ratios and writes everything to
``bench/results/bench-<UTC time>.json``.

Timings are reported, never asserted: the machine is shared and noisy. ``--repeat`` keeps the
fastest of N runs of each task (the least disturbed one), the usual way to read a noisy box.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bench.generate import write_inputs

RESULTS = Path(__file__).resolve().parent / "results"
TARGETS = {"json_time": 3.0, "json_memory": 4.0, "yaml_load": 1.3, "growth": 12.0}


@dataclass(frozen=True)
class Measurement:
    task: str
    fmt: str
    size: int
    file_bytes: int
    seconds: float
    phases: dict[str, float]
    peak_kib: int
    base_kib: int
    findings: dict[str, int]

    @property
    def own_peak_bytes(self) -> int:
        """Peak RSS the task caused: the process peak minus interpreter and imports."""
        return (self.peak_kib - self.base_kib) * 1024

    def to_json(self) -> dict[str, Any]:
        return {"task": self.task, "format": self.fmt, "size": self.size,
                "file_bytes": self.file_bytes, "seconds": round(self.seconds, 4),
                "phases": {k: round(v, 4) for k, v in self.phases.items()},
                "peak_rss_kib": self.peak_kib, "base_rss_kib": self.base_kib,
                "objects_per_second": round(self.size / self.seconds) if self.seconds else None,
                "findings": self.findings}


def measure(task: str, path: Path, size: int, fmt: str, repeat: int) -> Measurement:
    best: Measurement | None = None
    for _ in range(repeat):
        proc = subprocess.run(
            [sys.executable, "-m", "bench.measure", task, str(path)],
            capture_output=True, text=True, check=False,
            cwd=Path(__file__).resolve().parent.parent,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{task} {path} failed:\n{proc.stderr}")
        out = orjson.loads(proc.stdout.strip().splitlines()[-1])
        if out.get("crashed"):
            raise RuntimeError(f"rules crashed during the benchmark: {out['crashed']}")
        m = Measurement(task, fmt, size, path.stat().st_size, out["total"], out["phases"],
                        out["rss_peak_kib"], out["rss_base_kib"], out.get("findings", {}))
        if best is None or m.seconds < best.seconds:
            best = m
    assert best is not None
    return best


def run_size(size: int, seed: int, repeat: int, formats: tuple[str, ...],
             log: Any) -> list[Measurement]:
    start = time.perf_counter()
    json_path, yaml_path = write_inputs(size, seed, RESULTS / "inputs")
    log(f"inputs for {size} objects ready ({time.perf_counter() - start:.1f}s)")
    plan = []
    if "json" in formats:
        plan += [("orjson", json_path, "json"), ("scan", json_path, "json")]
    if "yaml" in formats:
        plan += [("yaml", yaml_path, "yaml"), ("scan", yaml_path, "yaml")]
    found = []
    for task, path, fmt in plan:
        m = measure(task, path, size, fmt, repeat)
        log(f"  {fmt:4} {task:6} {m.seconds:8.2f}s  peak {m.peak_kib / 1024:7.0f} MiB")
        found.append(m)
    return found


def ratios(results: list[Measurement]) -> dict[str, Any]:
    """DESIGN.md §5 ratios for every size (growth: largest size over smallest)."""
    by = {(m.task, m.fmt, m.size): m for m in results}
    sizes = sorted({m.size for m in results})
    out: dict[str, Any] = {"per_size": {}}
    for size in sizes:
        row: dict[str, float] = {}
        scan_j, floor_j = by.get(("scan", "json", size)), by.get(("orjson", "json", size))
        if scan_j and floor_j:
            row["json_time"] = scan_j.seconds / floor_j.seconds
            row["json_memory"] = scan_j.own_peak_bytes / scan_j.file_bytes
            row["json_memory_total"] = scan_j.peak_kib * 1024 / scan_j.file_bytes
            row["orjson_memory"] = floor_j.own_peak_bytes / floor_j.file_bytes
        scan_y, floor_y = by.get(("scan", "yaml", size)), by.get(("yaml", "yaml", size))
        if scan_y and floor_y:
            row["yaml_load"] = scan_y.phases["load"] / floor_y.seconds
            row["yaml_scan"] = scan_y.seconds / floor_y.seconds
        out["per_size"][str(size)] = row
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        growth: dict[str, float] = {"from": small, "to": large}
        for fmt in ("json", "yaml"):
            a, b = by.get(("scan", fmt, small)), by.get(("scan", fmt, large))
            if a and b:
                growth[fmt] = b.seconds / a.seconds
        out["growth"] = growth
    return out


def _verdict(value: float, target: float) -> str:
    return f"{value:5.2f}x  (target <= {target:g}x: {'met' if value <= target else 'NOT met'})"


def table(results: list[Measurement], summary: dict[str, Any]) -> str:
    lines = [f"{'size':>7} {'fmt':4} {'task':6} {'MB':>7} {'seconds':>8} {'obj/s':>9} "
             f"{'peak MiB':>8} {'own MiB':>8}  phases"]
    for m in results:
        phases = " ".join(f"{k}={v:.2f}" for k, v in m.phases.items()) if m.task == "scan" else ""
        lines.append(
            f"{m.size:>7} {m.fmt:4} {m.task:6} {m.file_bytes / 1e6:7.1f} {m.seconds:8.2f} "
            f"{m.size / m.seconds:9.0f} {m.peak_kib / 1024:8.0f} {m.own_peak_bytes / 2**20:8.0f}"
            f"  {phases}")
    lines.append("")
    for size, row in summary["per_size"].items():
        lines.append(f"{size} objects:")
        if "json_time" in row:
            lines.append(f"  JSON full scan / orjson.loads      {_verdict(row['json_time'], 3)}")
            lines.append(f"  JSON scan own peak RSS / file size {_verdict(row['json_memory'], 4)}"
                         f"  [whole process {row['json_memory_total']:.2f}x; orjson.loads alone "
                         f"{row['orjson_memory']:.2f}x]")
        if "yaml_load" in row:
            lines.append(f"  YAML load / CSafeLoader load_all   {_verdict(row['yaml_load'], 1.3)}"
                         f"  [full YAML scan {row['yaml_scan']:.2f}x]")
    growth = summary.get("growth")
    if growth:
        factor = growth["to"] / growth["from"]
        target = TARGETS["growth"] * factor / 10
        for fmt in ("json", "yaml"):
            if fmt in growth:
                lines.append(f"growth {growth['to']} / {growth['from']} ({fmt} full scan)"
                             f"  {_verdict(growth[fmt], target)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per task; the fastest is kept (default 1)")
    parser.add_argument("--formats", nargs="+", choices=("json", "yaml"),
                        default=["json", "yaml"])
    parser.add_argument("--output", type=Path, default=None,
                        help="results file (default bench/results/bench-<UTC time>.json)")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results: list[Measurement] = []
    for size in args.sizes:
        results.extend(run_size(size, args.seed, args.repeat, tuple(args.formats), log))
    summary = ratios(results)
    print(table(results, summary))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    output = args.output or RESULTS / f"bench-{stamp}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(orjson.dumps({
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "seed": args.seed, "repeat": args.repeat,
        "results": [m.to_json() for m in results], "ratios": summary,
    }, option=orjson.OPT_INDENT_2))
    log(f"results written to {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
