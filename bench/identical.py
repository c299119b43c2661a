"""Byte-identical reports before and after a change: ``python -m bench.identical``.

A speed change must not change a single byte of any report. This guard scans every stack of
``../shared/corpus`` (each leaf folder on its own, as its SOURCES.md says) and the benchmark's
inputs with the working tree's kaudit *and* with the kaudit of a base revision (default
``main``), writes each JSON report, and fails naming every input whose report differs.

    python -m bench.identical                     # working tree against main
    python -m bench.identical --base HEAD~3       # against another revision
    python -m bench.identical --sizes 10000 100000

The base revision is exported with ``git archive`` into a temporary folder (no worktree, no
change to the repository) and run from there, so the comparison is always against code, never
against a stored expectation that other rule changes would make stale. Each tree scans every
input in one interpreter through ``tests.audit.audit`` (what ``kaudit scan -f json`` reports,
with a fixed ``--now`` and no configuration file) and writes the report as sorted JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = "2024-06-01T12:00:00Z"
_MANIFEST = (".yaml", ".yml", ".json")

# Runs inside the interpreter of one tree: scan each input, write its report next to the
# others. Exit codes 0 and 1 are normal (findings or not); anything else is recorded.
_DRIVER = r"""
import sys, orjson
from pathlib import Path
from tests.audit import audit
out_dir = Path(sys.argv[1])
for line in Path(sys.argv[2]).read_text().splitlines():
    name, path = line.split("\t")
    target = out_dir / (name.replace("/", "__") + ".json")
    try:
        report = audit([path], now=sys.argv[3])
    except Exception as exc:
        import traceback
        traceback.print_exc()
        report = {"exception": repr(exc)}
    target.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    print(name, len(report.get("findings", ())), file=sys.stderr, flush=True)
"""


def corpus_stacks(corpus: Path) -> list[tuple[str, Path]]:
    """Every folder that holds manifest files directly: the leaf stacks of the corpus."""
    found = set()
    for path in corpus.rglob("*"):
        if path.is_file() and path.name.lower().endswith(_MANIFEST):
            rel = path.relative_to(corpus).parts
            # The stack is the top folder (or dumps/<name>, or <project>/<variant>).
            depth = 2 if rel[0] in ("dumps", "ingress-nginx", "istio", "gateway-api") else 1
            found.add("/".join(rel[:min(depth, len(rel) - 1)]))
    return [(f"corpus/{s}", corpus.resolve() / s) for s in sorted(found)]


def bench_inputs(sizes: list[int]) -> list[tuple[str, Path]]:
    from bench.generate import write_inputs

    out = []
    for size in sizes:
        json_path, yaml_path = write_inputs(size, 1, ROOT / "bench" / "results" / "inputs")
        out += [(f"bench/{size}.json", json_path), (f"bench/{size}.yaml", yaml_path)]
    return out


def export_revision(rev: str, into: Path) -> Path:
    """``rev``'s tree under ``into``, importable as ``kaudit`` and ``kaudit_rules``."""
    tree = into / "tree"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, check=True,
                             capture_output=True).stdout
    tar_path = into / "tree.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(tree, filter="data")
    path = into / "path"
    path.mkdir()
    (path / "kaudit").symlink_to(tree / "kaudit")
    (path / "kaudit_rules").symlink_to(tree / "rules")
    (path / "tests").symlink_to(tree / "tests")
    return path


def run_reports(inputs: list[tuple[str, Path]], out_dir: Path, pythonpath: Path | None,
                driver: str = _DRIVER) -> None:
    """Run ``driver`` (a script: output folder, input listing, ``NOW``) in a fresh interpreter
    that imports kaudit from ``pythonpath`` (the working tree when ``None``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    listing = out_dir / "inputs.tsv"
    listing.write_text(  # paths absolute: the driver runs elsewhere
        "".join(f"{name}\t{path}\n" for name, path in inputs))
    env = dict(os.environ)
    # Before the editable install's finder: the exported tree wins for its packages.
    env["PYTHONPATH"] = str(pythonpath or ROOT)
    env["PYTHONSAFEPATH"] = "1"
    subprocess.run([sys.executable, "-c", driver, str(out_dir), str(listing), NOW],
                   env=env, check=True, cwd=tempfile.gettempdir())


def compare(inputs: list[tuple[str, Path]], base: Path, head: Path) -> list[str]:
    differ = []
    for name, _ in inputs:
        file = name.replace("/", "__") + ".json"
        a, b = base / file, head / file
        if not a.exists() or not b.exists() or a.read_bytes() != b.read_bytes():
            differ.append(name)
    return differ


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.exists() else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.identical",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=None,
                        help="git revision to compare against (default: where this branch "
                             "left main, ``git merge-base HEAD main``)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--keep", type=Path, default=None,
                        help="write the reports here (base/ and head/) instead of a temp dir; "
                             "base reports already there for the same revision are reused")
    args = parser.parse_args(argv)
    inputs = (corpus_stacks(args.corpus) if args.corpus.is_dir() else []) + bench_inputs(
        args.sizes)
    with tempfile.TemporaryDirectory(prefix="kaudit-identical-") as tmp:
        work = (args.keep or Path(tmp)).resolve()
        base = args.base or subprocess.run(
            ["git", "merge-base", "HEAD", "main"], cwd=ROOT, check=True, capture_output=True,
            text=True).stdout.strip()
        base = subprocess.run(["git", "rev-parse", base], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
        stamp = work / "base" / "REVISION"
        if not (stamp.exists() and stamp.read_text() == base
                and all((work / "base" / (n.replace("/", "__") + ".json")).exists()
                        for n, _ in inputs)):
            # --keep reuses base reports of the same revision (they cannot change).
            run_reports(inputs, work / "base", export_revision(base, Path(tmp)))
            stamp.write_text(base)
        run_reports(inputs, work / "head", None)
        differ = compare(inputs, work / "base", work / "head")
        for name, _ in inputs:
            file = name.replace("/", "__") + ".json"
            mark = "DIFFERS" if name in differ else "same"
            print(f"{mark:8} {digest(work / 'head' / file)}  {name}")
        print(f"{len(inputs) - len(differ)} of {len(inputs)} reports byte-identical to {base}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
