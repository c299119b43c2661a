"""kaudit against checkov on the shared corpus: ``python -m bench.corpus_bench [--checkov BIN]``.

Both tools are run as a user runs them, one process per stack of ``../shared/corpus`` (each
leaf folder, as its SOURCES.md says), and charged the CPU seconds of that process (user +
system, from ``getrusage(RUSAGE_CHILDREN)``): start-up included, since that is what a CI job
pays per run. kaudit is also timed in one interpreter over every stack (``in-process``), which
is the work without the start-up. checkov (``--framework kubernetes``, JSON output) is only
measured when its executable is given or on PATH; it is not a dependency.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.identical import NOW, ROOT, corpus_stacks


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def per_process(commands: list[list[str]]) -> float:
    """Total CPU seconds of running each command in its own process."""
    total = 0.0
    for command in commands:
        before = _child_cpu()
        subprocess.run(command, capture_output=True, check=False, cwd="/tmp",
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
        total += _child_cpu() - before
    return total


def in_process(stacks: list[Path]) -> float:
    from tests.audit import audit

    start = time.process_time()
    for stack in stacks:
        audit([str(stack)], now=NOW)
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus_bench",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--checkov", default=shutil.which("checkov"),
                        help="checkov executable (default: from PATH)")
    args = parser.parse_args(argv)
    stacks = [path for _, path in corpus_stacks(args.corpus)]
    kaudit = per_process([[sys.executable, "-m", "kaudit", "scan", str(s), "--format", "json",
                           "--now", NOW] for s in stacks])
    warm = in_process(stacks)
    print(f"{len(stacks)} stacks of {args.corpus}")
    print(f"kaudit   one process per stack: {kaudit:7.2f} s cpu; in one process: {warm:.2f} s")
    if not args.checkov:
        print("checkov  not installed: not measured")
        return 0
    checkov = per_process([[args.checkov, "-d", str(s), "--framework", "kubernetes",
                            "-o", "json", "--quiet", "--skip-download"] for s in stacks])
    print(f"checkov  one process per stack: {checkov:7.2f} s cpu")
    print(f"kaudit is {checkov / kaudit:.1f}x checkov's speed per process "
          f"({checkov / warm:.1f}x counting kaudit's work without start-up)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
