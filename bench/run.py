"""Scale benchmark: ``python -m bench.run --sizes 10000 100000``.

For every size it generates (or reuses) a saved JSON snapshot and a multi-document YAML dump of
the same objects (``bench/generate.py``), then measures each task in a fresh subprocess
(``bench/measure.py``): the parser floors (``orjson.loads``; ``yaml.load_all`` with
``CSafeLoader``) and kaudit's full scan (load, graph, every rule, JSON report) of each file.
Each input is also scanned the way a user runs it, ``kaudit scan FILE -f json`` in a fresh
process (``bench/startup.py``), to report the share of that process spent before the first
input byte is read (interpreter, imports, command-line parsing, rule catalogue). It prints a
table and the DESIGN.md §5 ratios and writes everything to
``bench/results/bench-<UTC time>.json``.

Timings are reported, never asserted: the machine is shared and noisy. Each task reports wall
and CPU seconds; the ratios are judged on CPU seconds (what the code costs, unlike wall time
barely moved by other processes on the machine) and shown in wall seconds too. ``--repeat``
keeps the run with the least CPU time of N.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson

from bench.generate import write_inputs
from bench.startup import measure as measure_startup

RESULTS = Path(__file__).resolve().parent / "results"
TARGETS = {"json_time": 3.0, "json_memory": 4.0, "yaml_load": 0.4, "growth": 12.0,
           "startup_share": 0.5}
"""``startup_share``: a scan process dominated by work, not start-up (at most half)."""


@dataclass(frozen=True)
class Measurement:
    task: str
    fmt: str
    size: int
    file_bytes: int
    seconds: float
    cpu: float
    phases: dict[str, float]
    cpu_phases: dict[str, float]
    peak_kib: int
    base_kib: int
    findings: dict[str, int]
    rule_cpu: dict[str, float]
    extractor_cpu: dict[str, float]
    import_cpu: float
    startup: dict[str, float] | None = None
    """The ``kaudit scan`` process of the same input, split by ``bench.startup``."""

    @property
    def own_peak_bytes(self) -> int:
        """Peak RSS the task caused: the process peak minus interpreter and imports."""
        return (self.peak_kib - self.base_kib) * 1024

    def to_json(self) -> dict[str, Any]:
        return {"task": self.task, "format": self.fmt, "size": self.size,
                "file_bytes": self.file_bytes, "seconds": round(self.seconds, 4),
                "cpu_seconds": round(self.cpu, 4),
                "phases": {k: round(v, 4) for k, v in self.phases.items()},
                "cpu_phases": {k: round(v, 4) for k, v in self.cpu_phases.items()},
                "peak_rss_kib": self.peak_kib, "base_rss_kib": self.base_kib,
                "objects_per_second": round(self.size / self.seconds) if self.seconds else None,
                "findings": self.findings,
                "rule_cpu_seconds": {k: round(v, 4) for k, v in self.rule_cpu.items()},
                "extractor_cpu_seconds": {k: round(v, 4) for k, v in self.extractor_cpu.items()},
                "import_cpu_seconds": round(self.import_cpu, 4),
                **({"cli_startup": self.startup} if self.startup else {})}


def _from_json(row: dict[str, Any]) -> Measurement:
    """A measurement as ``Measurement.to_json`` wrote it."""
    return Measurement(
        row["task"], row["format"], row["size"], row["file_bytes"], row["seconds"],
        row["cpu_seconds"], row["phases"], row["cpu_phases"], row["peak_rss_kib"],
        row["base_rss_kib"], row["findings"], row.get("rule_cpu_seconds", {}),
        row.get("extractor_cpu_seconds", {}), row.get("import_cpu_seconds", 0.0),
        row.get("cli_startup"))


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
        m = Measurement(task, fmt, size, path.stat().st_size, out["total"], out["cpu"],
                        out["phases"], out["cpu_phases"], out["rss_peak_kib"],
                        out["rss_base_kib"], out.get("findings", {}), out.get("rule_cpu", {}),
                        out.get("extractor_cpu", {}), out.get("import_cpu", 0.0))
        if best is None or m.cpu < best.cpu:
            best = m
    assert best is not None
    return best


def run_size(size: int, seed: int, repeat: int, formats: tuple[str, ...],
             log: Any, gc_floors: bool = True) -> list[Measurement]:
    start = time.perf_counter()
    json_path, yaml_path = write_inputs(size, seed, RESULTS / "inputs", formats)
    log(f"inputs for {size} objects ready ({time.perf_counter() - start:.1f}s)")
    plan = []
    if "json" in formats:
        plan += [("orjson", json_path, "json"),
                 *([("orjson+gc", json_path, "json")] if gc_floors else []),
                 ("scan", json_path, "json")]
    if "yaml" in formats:
        plan += [("yaml", yaml_path, "yaml"),
                 *([("yaml+gc", yaml_path, "yaml")] if gc_floors else []),
                 ("scan", yaml_path, "yaml")]
    found = []
    for task, path, fmt in plan:
        m = measure(task, path, size, fmt, repeat)
        log(f"  {fmt:4} {task:9} {m.seconds:8.2f}s wall {m.cpu:8.2f}s cpu  "
            f"peak {m.peak_kib / 1024:7.0f} MiB")
        if task == "scan":
            cli = measure_startup([str(path)], repeat)
            m = replace(m, startup={**cli.to_json(), "total": round(cli.total, 4)})
            log(f"  {fmt:4} {'kaudit scan':9} {cli.total:8.2f}s cpu, start-up {cli.share:.0%}")
        found.append(m)
    return found


def _ratio(a: Measurement, b: Measurement, phase: str | None = None) -> dict[str, float]:
    """``a`` over ``b`` in CPU seconds (what the code costs: robust on a shared machine) and in
    wall seconds; with ``phase``, only that phase of ``a``."""
    if phase is None:
        return {"cpu": a.cpu / b.cpu, "wall": a.seconds / b.seconds}
    return {"cpu": a.cpu_phases[phase] / b.cpu, "wall": a.phases[phase] / b.seconds}


def ratios(results: list[Measurement]) -> dict[str, Any]:
    """DESIGN.md §5 ratios for every size (growth: largest size over smallest). Floors are the
    parsers with the cyclic collector off (``orjson``, ``yaml``), as kaudit runs them; the
    ratios over the collector-on floors (``+gc``) are kept as well, for reference."""
    by = {(m.task, m.fmt, m.size): m for m in results}
    sizes = sorted({m.size for m in results})
    out: dict[str, Any] = {"per_size": {}}
    for size in sizes:
        row: dict[str, Any] = {}
        scan_j, floor_j = by.get(("scan", "json", size)), by.get(("orjson", "json", size))
        if scan_j and floor_j:
            row["json_time"] = _ratio(scan_j, floor_j)
            row["json_memory"] = scan_j.own_peak_bytes / scan_j.file_bytes
            row["json_memory_total"] = scan_j.peak_kib * 1024 / scan_j.file_bytes
            row["orjson_memory"] = floor_j.own_peak_bytes / floor_j.file_bytes
            floor_gc = by.get(("orjson+gc", "json", size))
            if floor_gc:
                row["json_time_vs_gc_floor"] = _ratio(scan_j, floor_gc)
        scan_y, floor_y = by.get(("scan", "yaml", size)), by.get(("yaml", "yaml", size))
        if scan_y and floor_y:
            row["yaml_load"] = _ratio(scan_y, floor_y, "load")
            row["yaml_scan"] = _ratio(scan_y, floor_y)
            floor_gc = by.get(("yaml+gc", "yaml", size))
            if floor_gc:
                row["yaml_load_vs_gc_floor"] = _ratio(scan_y, floor_gc, "load")
        for fmt, scan in (("json", scan_j), ("yaml", scan_y)):
            if scan and scan.startup:
                row[f"{fmt}_startup_share"] = scan.startup["startup_share"]
        out["per_size"][str(size)] = row
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        growth: dict[str, Any] = {"from": small, "to": large}
        for fmt in ("json", "yaml"):
            a, b = by.get(("scan", fmt, small)), by.get(("scan", fmt, large))
            if a and b:
                growth[fmt] = _ratio(b, a)
        out["growth"] = growth
    return out


def _verdict(value: dict[str, float] | float, target: float) -> str:
    if isinstance(value, dict):
        cpu, wall = value["cpu"], value["wall"]
        met = "met" if cpu <= target else "NOT met"
        return f"{cpu:5.2f}x cpu ({wall:5.2f}x wall)  target <= {target:g}x: {met}"
    return f"{value:5.2f}x  target <= {target:g}x: {'met' if value <= target else 'NOT met'}"


def table(results: list[Measurement], summary: dict[str, Any]) -> str:
    lines = [f"{'size':>7} {'fmt':4} {'task':9} {'MB':>6} {'wall s':>7} {'cpu s':>7} "
             f"{'obj/s':>8} {'peak MiB':>8} {'own MiB':>7}  cpu seconds by phase"]
    for m in results:
        phases = (" ".join(f"{k}={v:.2f}" for k, v in m.cpu_phases.items())
                  if m.task == "scan" else "")
        lines.append(
            f"{m.size:>7} {m.fmt:4} {m.task:9} {m.file_bytes / 1e6:6.1f} {m.seconds:7.2f} "
            f"{m.cpu:7.2f} {m.size / m.seconds:8.0f} {m.peak_kib / 1024:8.0f} "
            f"{m.own_peak_bytes / 2**20:7.0f}  {phases}")
    lines.append("")
    for size, row in summary["per_size"].items():
        lines.append(f"{size} objects:")
        if "json_time" in row:
            verdict = _verdict(row["json_time"], TARGETS["json_time"])
            lines.append(f"  JSON full scan / orjson.loads        {verdict}")
            if "json_time_vs_gc_floor" in row:
                gc_floor = row["json_time_vs_gc_floor"]
                lines.append(f"    (over orjson.loads with the collector on: "
                             f"{gc_floor['cpu']:.2f}x cpu, {gc_floor['wall']:.2f}x wall)")
            lines.append(f"  JSON scan own peak RSS / file size   "
                         f"{_verdict(row['json_memory'], TARGETS['json_memory'])}")
            lines.append(f"    (whole process {row['json_memory_total']:.2f}x; orjson.loads "
                         f"alone {row['orjson_memory']:.2f}x)")
        if "yaml_load" in row:
            lines.append(f"  YAML load / CSafeLoader load_all     "
                         f"{_verdict(row['yaml_load'], TARGETS['yaml_load'])}")
            extra = f"full YAML scan {row['yaml_scan']['cpu']:.2f}x cpu"
            if "yaml_load_vs_gc_floor" in row:
                extra += (f"; load over load_all with the collector on "
                          f"{row['yaml_load_vs_gc_floor']['cpu']:.2f}x cpu")
            lines.append(f"    ({extra})")
        for fmt in ("json", "yaml"):
            share = row.get(f"{fmt}_startup_share")
            if share is not None:
                met = "met" if share <= TARGETS["startup_share"] else "NOT met"
                lines.append(f"  {fmt.upper()} `kaudit scan` process: start-up {share:6.0%} "
                             f"of its CPU  target <= {TARGETS['startup_share']:.0%}: {met}")
    lines.extend(cost_tables(results))
    growth = summary.get("growth")
    if growth:
        target = TARGETS["growth"] * (growth["to"] / growth["from"]) / 10
        for fmt in ("json", "yaml"):
            if fmt in growth:
                lines.append(f"growth {growth['to']} / {growth['from']} objects, {fmt} full scan  "
                             f"{_verdict(growth[fmt], target)}")
    return "\n".join(lines)


def cost_tables(results: list[Measurement], top: int = 12) -> list[str]:
    """Per-rule and per-extractor CPU seconds of each scan, the costliest first: a rule that
    still walks every object instead of its candidates shows at the top."""
    lines = []
    for m in results:
        if m.task != "scan" or not m.rule_cpu:
            continue
        startup = m.import_cpu / (m.import_cpu + m.cpu) if m.cpu else 0.0
        lines.append("")
        lines.append(f"{m.size} {m.fmt} scan: imports {m.import_cpu:.2f}s cpu "
                     f"({startup:.0%} of imports + scan)")
        if m.startup:
            s = m.startup
            lines.append(f"  `kaudit scan` process: {s['total']:.2f}s cpu; start-up "
                         f"{s['imports'] + s['setup']:.2f}s (imports {s['imports']:.2f}, "
                         f"set-up {s['setup']:.2f}) = {s['startup_share']:.0%}; "
                         f"{s['modules']:.0f} modules")
        for title, costs in (("rules", m.rule_cpu), ("extractors", m.extractor_cpu)):
            ranked = sorted(costs.items(), key=lambda kv: (-kv[1], kv[0]))
            total = sum(costs.values())
            shown = ", ".join(f"{k} {v:.3f}" for k, v in ranked[:top])
            lines.append(f"  {title} ({total:.2f}s cpu, costliest first): {shown}")
    return lines


def markdown(results: list[Measurement], summary: dict[str, Any]) -> str:
    """The results as the Markdown tables of ``bench/RESULTS.md`` and the README."""
    lines = ["| objects | input | task | MB | CPU s | wall s | peak RSS MiB | own peak / file |",
             "|---:|---|---|---:|---:|---:|---:|---:|"]
    for m in results:
        task = m.task
        if m.task == "scan":
            task = "full scan (" + ", ".join(f"{k} {v:.2f}" for k, v in m.cpu_phases.items()) \
                + ")"
        lines.append(f"| {m.size:,} | {m.fmt.upper()} | {task} | {m.file_bytes / 1e6:.1f} | "
                     f"{m.cpu:.2f} | {m.seconds:.2f} | {m.peak_kib / 1024:,.0f} | "
                     f"{m.own_peak_bytes / m.file_bytes:.2f}x |")
    lines += ["", "| objects | ratio | CPU | wall | target |", "|---:|---|---:|---:|---|"]
    for size, row in summary["per_size"].items():
        for name, label, target in (("json_time", "JSON scan / orjson.loads", "json_time"),
                                    ("yaml_load", "YAML load / CSafeLoader", "yaml_load"),
                                    ("yaml_scan", "YAML scan / CSafeLoader", "yaml_load")):
            if name in row:
                r = row[name]
                met = "met" if r["cpu"] <= TARGETS[target] else "**not met**"
                lines.append(f"| {int(size):,} | {label} | {r['cpu']:.2f}x | {r['wall']:.2f}x | "
                             f"<= {TARGETS[target]:g}x: {met} |")
        if "json_memory" in row:
            met = "met" if row["json_memory"] <= TARGETS["json_memory"] else "**not met**"
            lines.append(f"| {int(size):,} | JSON scan own peak RSS / file | "
                         f"{row['json_memory']:.2f}x | | <= {TARGETS['json_memory']:g}x: {met} |")
        for fmt in ("json", "yaml"):
            share = row.get(f"{fmt}_startup_share")
            if share is not None:
                met = "met" if share <= TARGETS["startup_share"] else "**not met**"
                lines.append(f"| {int(size):,} | {fmt.upper()} `kaudit scan` start-up / "
                             f"process | {share:.0%} | | <= {TARGETS['startup_share']:.0%}: "
                             f"{met} |")
    growth = summary.get("growth")
    if growth:
        for fmt in ("json", "yaml"):
            if fmt in growth:
                factor = growth["to"] / growth["from"]
                target = TARGETS["growth"] * factor / 10
                g = growth[fmt]
                met = "met" if g["cpu"] <= target else "**not met**"
                lines.append(f"| {growth['to']:,} / {growth['from']:,} | {fmt.upper()} scan "
                             f"growth ({factor:g}x objects) | {g['cpu']:.2f}x | "
                             f"{g['wall']:.2f}x | <= {target:g}x: {met} |")
    lines.append("")
    for line in cost_tables(results):
        lines.append(line.replace("  rules", "- rules").replace("  extractors", "- extractors"))
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
    parser.add_argument("--no-gc-floors", action="store_true",
                        help="skip the collector-on floors (orjson+gc, yaml+gc): reference "
                             "only, and the YAML one costs minutes at 100k objects")
    parser.add_argument("--output", type=Path, default=None,
                        help="results file (default bench/results/bench-<UTC time>.json)")
    parser.add_argument("--report", type=Path, default=None,
                        help="print the tables of an earlier results file; measure nothing")
    args = parser.parse_args(argv)
    if args.report is not None:
        saved = orjson.loads(args.report.read_bytes())
        earlier = [_from_json(r) for r in saved["results"]]
        print(table(earlier, saved["ratios"]))
        print()
        print(markdown(earlier, saved["ratios"]))
        return 0

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results: list[Measurement] = []
    for size in args.sizes:
        results.extend(run_size(size, args.seed, args.repeat, tuple(args.formats), log,
                                gc_floors=not args.no_gc_floors))
    summary = ratios(results)
    print(table(results, summary))
    print()
    print(markdown(results, summary))
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
