"""How much of a ``kaudit scan`` process is start-up: ``python -m bench.startup PATH...``.

A CI job pays for the whole process, so this runs ``kaudit scan PATH... -f json`` as a user
does (a fresh interpreter through ``kaudit.cli.main``) and splits its CPU seconds at two
moments, recorded by an audit hook (``sys.addaudithook``) inside that process:

- *imports*: the interpreter starting and ``import kaudit.cli`` (every command module);
- *set-up*: the command line parsed, the rule catalogue and rule packs loaded, the config
  file looked for, and whatever else runs before the first input file is opened;
- *scan*: from the first ``open`` (or folder listing) of an input to the exit: reading,
  parsing, the graph, the rules and the report.

*Start-up* is imports + set-up, and its share of the whole process is what the DESIGN.md §5
target ("a 10k scan dominated by work, not start-up") is about. The process also reports how
many modules it imported, by top-level package, which ``tests/test_startup.py`` guards by
count (timings are never a test).

Bytecode is compiled first (``ensure_bytecode``), as ``pip install`` does: a checkout run with
``PYTHONDONTWRITEBYTECODE`` would otherwise compile every kaudit module on every run and
charge the compiler to start-up.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
NOW = "2024-06-01T12:00:00Z"

# Runs in the measured process: the hook marks the first touch of an input, atexit reports.
_CHILD = r"""
import atexit, os, sys, time
marks = {}
now, paths = sys.argv[1], sys.argv[2:]
roots = tuple(os.path.abspath(p) for p in paths)

def _input(path):
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str):
        return False
    path = os.path.abspath(path)
    return any(path == r or path.startswith(r + os.sep) for r in roots)

def hook(event, args):
    if "read" not in marks and event in ("open", "os.scandir", "os.listdir") and args \
            and _input(args[0]):
        marks["read"] = time.process_time()

@atexit.register
def report():
    end = time.process_time()
    top = {}
    for name in list(sys.modules):
        top[name.split(".")[0]] = top.get(name.split(".")[0], 0) + 1
    sys.stderr.write("STARTUP " + repr({"imports": marks.get("imports", end),
                     "read": marks.get("read", end), "end": end,
                     "modules": len(sys.modules), "packages": top}) + "\n")

sys.addaudithook(hook)
from kaudit.cli import main
marks["imports"] = time.process_time()
sys.argv = ["kaudit", "scan", *paths, "--format", "json", "--now", now]
main()
"""


@dataclass(frozen=True)
class Startup:
    """CPU seconds of one ``kaudit scan`` process, split where its work begins."""

    imports: float
    setup: float
    scan: float
    modules: int
    packages: dict[str, int]

    @property
    def startup(self) -> float:
        return self.imports + self.setup

    @property
    def total(self) -> float:
        return self.startup + self.scan

    @property
    def share(self) -> float:
        """Start-up's share of the whole process."""
        return self.startup / self.total if self.total else 0.0

    def to_json(self) -> dict[str, object]:
        return {"imports": round(self.imports, 4), "setup": round(self.setup, 4),
                "scan": round(self.scan, 4), "startup_share": round(self.share, 4),
                "modules": self.modules}

    def line(self, label: str) -> str:
        return (f"{label}: start-up {self.startup:.2f}s cpu (imports {self.imports:.2f}, set-up "
                f"{self.setup:.2f}) = {self.share:.0%} of the process ({self.total:.2f}s); "
                f"scan {self.scan:.2f}s; {self.modules} modules imported")


def ensure_bytecode() -> None:
    """Compile kaudit's and its rule packs' bytecode, as an install does (see module doc)."""
    for folder in (ROOT / "kaudit", ROOT / "rules"):
        compileall.compile_dir(str(folder), quiet=2)


def measure(paths: list[str], repeat: int = 1, tree: Path = ROOT) -> Startup:
    """The run with the least CPU of ``repeat`` runs of ``kaudit scan PATHS -f json``, with
    the kaudit of ``tree`` (a checkout, or an exported revision's import path)."""
    ensure_bytecode()
    best: Startup | None = None
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        # From an empty folder, so that config discovery runs and finds nothing.
        with tempfile.TemporaryDirectory() as empty:
            proc = subprocess.run(
                [sys.executable, "-c", _CHILD, NOW, *(str(Path(p).resolve()) for p in paths)],
                capture_output=True, text=True, check=False, cwd=empty,
                env={**os.environ, "PYTHONPATH": str(tree), "PYTHONSAFEPATH": "1"})
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("STARTUP ")]
        if proc.returncode not in (0, 1) or not lines:
            raise RuntimeError(f"kaudit scan {paths} failed ({proc.returncode}):\n{proc.stderr}")
        marks = _literal(lines[-1].removeprefix("STARTUP "))
        # The child's own clock stops at its atexit hook; the rusage of the whole child also
        # counts the interpreter's shutdown, which belongs to the scan.
        whole = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        imports, read = marks["imports"], marks["read"]
        found = Startup(imports=imports, setup=max(read - imports, 0.0),
                        scan=max(whole - read, 0.0), modules=marks["modules"],
                        packages=marks["packages"])
        if best is None or found.total < best.total:
            best = found
    assert best is not None
    return best


def _literal(text: str) -> dict[str, object]:
    import ast

    value = ast.literal_eval(text)
    assert isinstance(value, dict)
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="what to scan (files or folders)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs; the one with the least CPU is kept (default 3)")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--base", default=None,
                        help="also measure kaudit at this git revision (before/after)")
    args = parser.parse_args(argv)
    label = "kaudit scan " + " ".join(os.path.basename(p) for p in args.paths)
    with tempfile.TemporaryDirectory() as scratch:
        trees = {label: ROOT}
        if args.base:
            trees = {f"{label} at {args.base}": exported(args.base, Path(scratch)), **trees}
        for name, tree in trees.items():
            found = measure(args.paths, args.repeat, tree)
            if args.json:
                sys.stdout.write(orjson.dumps({"run": name, **found.to_json(),
                                               "packages": found.packages},
                                              option=orjson.OPT_SORT_KEYS).decode() + "\n")
                continue
            print(found.line(name))
            ranked = sorted(found.packages.items(), key=lambda kv: (-kv[1], kv[0]))
            print("  modules by package: " + ", ".join(f"{k} {v}" for k, v in ranked[:15]))
    return 0


def exported(rev: str, into: Path) -> Path:
    """``rev``'s kaudit, importable from the returned path, its bytecode compiled."""
    from bench.identical import export_revision

    path = export_revision(rev, into)
    compileall.compile_dir(str(into / "tree"), quiet=2)
    return path


if __name__ == "__main__":
    raise SystemExit(main())
