"""kaudit against checkov on the shared corpus: ``python -m bench.corpus_bench [--checkov BIN]``.

Both tools are run as a user runs them on the same files, and charged the CPU seconds (user +
system, from ``getrusage(RUSAGE_CHILDREN)``) of their processes, start-up included, since that
is what a CI job pays:

- *one invocation* over the whole corpus: ``kaudit scan CORPUS -f json`` against
  ``checkov -d CORPUS --framework kubernetes -o json`` (both read every ``*.yaml``, ``*.yml``
  and ``*.json`` under it; kaudit reads them as one cluster, checkov file by file);
- *one process per stack* (each leaf folder of ``../shared/corpus``, as its SOURCES.md says),
  the same two commands on each stack.

kaudit is also timed in one interpreter over every stack (*in-process*: the work without the
start-up), and the whole-corpus process is split into start-up and scan (``bench.startup``).
checkov is only measured when its executable is given or on PATH: it is a yardstick, not a
dependency (install it in a virtualenv of its own). ``--base REV`` measures kaudit at another
revision in the same run (before/after). ``--repeat N`` keeps the least CPU of N runs of each
command, interleaved. Results go to ``bench/results/corpus-<UTC time>.json``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from bench.identical import NOW, ROOT, corpus_stacks
from bench.startup import Startup, ensure_bytecode, exported
from bench.startup import measure as measure_startup

TARGET = 30.0
"""DESIGN.md §5: kaudit ≥ 30x checkov's speed on the shared corpus."""


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def per_process(commands: list[list[str]], pythonpath: Path | None = None) -> float:
    """Total CPU seconds of running each command in its own process, from an empty folder
    (no configuration file to discover); ``pythonpath`` picks the kaudit tree to run."""
    env = dict(os.environ)
    if pythonpath is not None:  # before the editable install's finder: that tree wins
        env.update(PYTHONPATH=str(pythonpath), PYTHONSAFEPATH="1")
    total = 0.0
    with tempfile.TemporaryDirectory() as empty:
        for command in commands:
            before = _child_cpu()
            subprocess.run(command, capture_output=True, check=False, cwd=empty, env=env)
            total += _child_cpu() - before
    return total


def best_of(repeat: int, run: Callable[[], float]) -> float:
    return min(run() for _ in range(max(repeat, 1)))


def in_process(stacks: list[Path]) -> float:
    from tests.audit import audit

    start = time.process_time()
    for stack in stacks:
        audit([str(stack)], now=NOW)
    return time.process_time() - start


def kaudit_command(paths: list[Path]) -> list[str]:
    return [sys.executable, "-m", "kaudit", "scan", *map(str, paths), "--format", "json",
            "--now", NOW]


def checkov_command(checkov: str, folder: Path) -> list[str]:
    return [checkov, "-d", str(folder), "--framework", "kubernetes", "-o", "json", "--quiet",
            "--skip-download"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus_bench",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--checkov", default=shutil.which("checkov"),
                        help="checkov executable (default: from PATH)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each command; the least CPU is kept (default 1)")
    parser.add_argument("--base", default=None,
                        help="also measure kaudit at this git revision (before/after)")
    parser.add_argument("--no-per-stack", action="store_true",
                        help="only the one-invocation comparison (per stack costs checkov "
                             "minutes)")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    stacks = [path for _, path in corpus_stacks(corpus)]
    ensure_bytecode()
    trees: dict[str, Path] = {"kaudit": ROOT}
    scratch = tempfile.TemporaryDirectory()
    if args.base:
        trees = {f"kaudit@{args.base}": exported(args.base, Path(scratch.name)), "kaudit": ROOT}

    rows: dict[str, dict[str, float]] = {}
    for name, tree in trees.items():
        rows[name] = {"whole": best_of(args.repeat, lambda t=tree: per_process(
            [kaudit_command([corpus])], t))}
        if not args.no_per_stack:
            rows[name]["per_stack"] = best_of(args.repeat, lambda t=tree: per_process(
                [kaudit_command([s]) for s in stacks], t))
    warm = best_of(args.repeat, lambda: in_process(stacks))
    split = measure_startup([str(corpus)], args.repeat)
    if args.checkov:
        rows["checkov"] = {"whole": best_of(args.repeat, lambda: per_process(
            [checkov_command(args.checkov, corpus)]))}
        if not args.no_per_stack:
            rows["checkov"]["per_stack"] = best_of(args.repeat, lambda: per_process(
                [checkov_command(args.checkov, s) for s in stacks]))
    scratch.cleanup()

    print(report(corpus, len(stacks), rows, warm, split, bool(args.checkov)))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    output = args.output or ROOT / "bench" / "results" / f"corpus-{stamp}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(orjson.dumps({
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "corpus": str(corpus), "stacks": len(stacks), "repeat": args.repeat,
        "cpu_seconds": rows, "in_process": warm, "startup": split.to_json(),
    }, option=orjson.OPT_INDENT_2))
    print(f"results written to {output}", file=sys.stderr)
    return 0


def report(corpus: Path, stacks: int, rows: dict[str, dict[str, float]], warm: float,
           split: Startup, with_checkov: bool) -> str:
    """The comparison as Markdown lines (``bench/RESULTS.md`` keeps one)."""
    checkov = rows.get("checkov", {})
    lines = [f"{stacks} stacks of {corpus}; CPU seconds (user + system) of the processes", "",
             "| tool | one invocation, whole corpus | one process per stack |",
             "|---|---:|---:|"]
    for name, row in rows.items():
        cells = []
        for key in ("whole", "per_stack"):
            if key not in row:
                cells.append("")
                continue
            speed = (f" ({checkov[key] / row[key]:.1f}x)"
                     if key in checkov and name != "checkov" and row[key] else "")
            cells.append(f"{row[key]:.2f}{speed}")
        lines.append(f"| {name} | {cells[0]} | {cells[1]} |")
    lines.append(f"| kaudit, every stack in one interpreter (work, no start-up) | | "
                 f"{warm:.2f}{_speed(checkov.get('per_stack'), warm)} |")
    lines += ["", split.line("kaudit scan of the whole corpus")]
    if not with_checkov:
        lines.append("checkov not installed: not measured")
        return "\n".join(lines)
    whole = checkov["whole"] / rows["kaudit"]["whole"]
    lines.append(f"kaudit is {whole:.1f}x checkov's speed in one invocation over the corpus "
                 f"(target >= {TARGET:g}x: {'met' if whole >= TARGET else 'NOT met'})")
    if "per_stack" in checkov:
        stacked = checkov["per_stack"] / rows["kaudit"]["per_stack"]
        lines.append(f"kaudit is {stacked:.1f}x checkov's speed one process per stack "
                     f"(target >= {TARGET:g}x: {'met' if stacked >= TARGET else 'NOT met'})")
    return "\n".join(lines)


def _speed(reference: float | None, value: float) -> str:
    return f" ({reference / value:.1f}x)" if reference and value else ""


if __name__ == "__main__":
    raise SystemExit(main())
