"""Does a scan find exactly the planted faults? ``python -m bench.planted SIZE``.

The benchmark's generator plants a small share of unhealthy objects and states, for each, the
findings it must cause (``bench.generate.Expected``). This check generates (or reuses) the
input of ``SIZE`` objects, scans it with ``kaudit scan FILE -f json`` in a fresh process (the
CLI itself: no configuration file, ``--now`` at the generator's capture time, ``--fail-on
never``, ``--max-input-bytes`` the file's size), and compares the report with the planted
list one finding at a time:

- *missing*: a planted finding the scan did not report (a rule regression, or a plant today's
  rules do not see);
- *unexpected*: a reported finding nothing planted explains (a false alarm on the healthy
  objects, or a generator change nobody declared);
- *duplicated*: the same finding (code, severity, object, pointer) reported more than once;
- *mismatched*: the planted finding was reported, but without a related object it must name
  (the re-created owner of a dangling ownerReference, ...).

A plant that does not make a fault a rule reports (a deletion still inside the rule's grace)
lists that finding as ``absent`` with the reason: it must not be reported, and the check
names each such plant, so a fault today's rules do not report is visible, never dropped.

Every reported finding must be explained by the generator's list, one object and pointer at a
time; nothing is tolerated by count. A finding the generator causes without planting it is
declared where it arises in ``bench/generate.py``, as an ``Expected`` whose ``fault`` says
so: today one, two Pods of one ReplicaSet drawing the same random name suffix (UQ001, see
``_name_collision``; seed 1 does once at 1M objects). The app cut short at the end of a run
causes none (``tests/bench/test_planted.py`` scans every cut of the first apps).

Exits 0 when the report matches, 1 on any difference, 2 when the scan itself failed (a rule
crashed, an input could not be read). Also prints the scan's CPU seconds and peak RSS (the
scan process alone, from ``wait4``), so the 1M run of issue 13 records all three at once.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bench.generate import CAPTURED_AT, Expected, ObjectId, input_paths, planted

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "bench" / "results" / "inputs"
NOW = CAPTURED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")

Key = tuple[str, str, ObjectId, str]
"""How a finding is told apart from every other: code, severity, object, pointer."""


def _object_id(ref: dict[str, Any]) -> ObjectId:
    return ref["apiVersion"], ref["kind"], ref.get("namespace") or "", ref["name"]


def finding_key(finding: dict[str, Any]) -> Key:
    """The identity of a finding of a JSON report, comparable with ``expected_key``."""
    return (finding["code"], finding["severity"], _object_id(finding["object"]),
            finding.get("pointer") or "")


def expected_key(expected: Expected) -> Key:
    return expected.code, expected.severity, expected.obj, expected.pointer


def describe(key: Key) -> str:
    code, severity, (api_version, kind, namespace, name), pointer = key
    where = f"{namespace}/{name}" if namespace else name
    return f"{code} {severity} {api_version} {kind} {where} {pointer}".rstrip()


@dataclass
class Comparison:
    """The report against the planted list; ``ok`` when nothing differs."""

    expected: int = 0
    reported: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    absent: list[Expected] = field(default_factory=list)
    matched: Counter[str] = field(default_factory=Counter)
    missing: list[Expected] = field(default_factory=list)
    unexpected: list[dict[str, Any]] = field(default_factory=list)
    duplicated: list[tuple[Key, int]] = field(default_factory=list)
    mismatched: list[tuple[Expected, list[ObjectId]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.duplicated or self.mismatched)

    def notes(self) -> list[str]:
        """One line per planted finding that must not be reported, with why."""
        return [f"absent      {describe(expected_key(e))}  (planted: {e.fault}; {e.absent})"
                for e in self.absent]

    def lines(self) -> list[str]:
        """One line per difference, each naming the finding."""
        out = [f"missing     {describe(expected_key(e))}  (planted: {e.fault})"
               for e in self.missing]
        out += [f"unexpected  {describe(finding_key(f))}  {f.get('message', '')}"
                for f in self.unexpected]
        out += [f"duplicated  {describe(key)}  reported {n} times" for key, n in self.duplicated]
        for e, related in self.mismatched:
            want = ", ".join(" ".join(r) for r in e.related)
            have = ", ".join(" ".join(r) for r in related) or "none"
            out.append(f"mismatched  {describe(expected_key(e))}  must name {want}; "
                       f"names {have}  (planted: {e.fault})")
        return out

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "faults": dict(sorted(self.faults.items())),
                "expected": self.expected, "reported": self.reported,
                "absent": [e.to_json() for e in self.absent],
                "matched": dict(sorted(self.matched.items())),
                "missing": [e.to_json() for e in self.missing],
                "unexpected": self.unexpected,
                "duplicated": [{"finding": describe(k), "times": n} for k, n in self.duplicated],
                "mismatched": [{"expected": e.to_json(), "related": [list(r) for r in rel]}
                               for e, rel in self.mismatched]}


class PlantedTwice(ValueError):
    """Two plants claim one finding: the generator's list is wrong, not the scan."""


def compare(expected: list[Expected], findings: list[dict[str, Any]]) -> Comparison:
    """Match every reported finding with one planted finding, by key. A finding planted as
    ``absent`` that is reported anyway is unexpected (unless another plant expects it: two
    Pods of one name, both stuck, cause one FN001, on the first)."""
    wanted: dict[Key, Expected] = {}
    for e in expected:
        if e.absent:
            continue
        if expected_key(e) in wanted:  # two plants may not claim one finding
            raise PlantedTwice(describe(expected_key(e)))
        wanted[expected_key(e)] = e
    result = Comparison(expected=len(wanted), reported=len(findings),
                        faults=Counter(fault for fault, _ in {(e.fault, e.obj) for e in expected}),
                        absent=[e for e in expected if e.absent])
    seen: Counter[Key] = Counter()
    for finding in findings:
        key = finding_key(finding)
        seen[key] += 1
        if seen[key] > 1:
            continue  # counted once below, as a duplicate
        planted_here = wanted.get(key)
        if planted_here is None:
            result.unexpected.append(finding)
            continue
        related = [_object_id(r) for r in finding.get("related", ())]
        if not set(planted_here.related) <= set(related):
            result.mismatched.append((planted_here, related))
            continue
        result.matched[planted_here.fault] += 1
    result.duplicated = [(key, n) for key, n in seen.items() if n > 1]
    result.missing = [e for key, e in wanted.items() if key not in seen]
    return result


@dataclass(frozen=True)
class Scan:
    """One ``kaudit scan -f json`` process: its report, exit code and what it cost."""

    report: dict[str, Any]
    exit_code: int
    cpu_seconds: float
    wall_seconds: float
    peak_rss_kib: int
    stderr: str


def scan(path: Path, keep: Path | None = None) -> Scan:
    """The CLI in a fresh interpreter; CPU and peak RSS of that process alone (``wait4``).
    The input limit is raised to the file's size, as whoever scans a 1.6 GB dump must
    (``--max-input-bytes``; the default of 256 MiB refuses inputs above ~150k objects).
    ``keep``: also write the report there (to compare it again without scanning again)."""
    with tempfile.TemporaryDirectory(prefix="kaudit-planted-") as tmp:
        report_path = Path(tmp) / "report.json"
        err_path = Path(tmp) / "stderr.txt"
        started = time.perf_counter()
        with err_path.open("wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "kaudit", "--max-input-bytes", str(path.stat().st_size),
                 "scan", str(path), "-f", f"json={report_path}", "--no-config", "--fail-on",
                 "never", "--now", NOW],
                stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT)
            _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        report = orjson.loads(report_path.read_bytes()) if report_path.exists() else {}
        if keep is not None and report_path.exists():
            keep.write_bytes(report_path.read_bytes())
        return Scan(report, proc.returncode, usage.ru_utime + usage.ru_stime, wall,
                    usage.ru_maxrss, err_path.read_text(errors="replace"))


def input_path(size: int, seed: int, fmt: str, folder: Path) -> Path:
    """The generated input, written first by ``python -m bench.generate`` in a process of its
    own when missing: the generator holds every object at once (~10 GB at 1M), which this
    process must not keep while the scan it starts is measured."""
    json_path, yaml_path = input_paths(size, seed, folder)
    path = json_path if fmt == "json" else yaml_path
    if not path.exists():
        subprocess.run([sys.executable, "-m", "bench.generate", str(size), "--seed", str(seed),
                        "--formats", fmt, "--folder", str(folder)],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return path


def check(size: int, seed: int = 1, fmt: str = "json", folder: Path = INPUTS,
          log: Any = print, keep: Path | None = None) -> tuple[Comparison, Scan, Path]:
    """Generate (or reuse) the input, scan it, compare the report with the planted list."""
    started = time.perf_counter()
    path = input_path(size, seed, fmt, folder)
    log(f"input {path.name} ready ({time.perf_counter() - started:.1f}s)")
    started = time.perf_counter()
    expected = planted(size, seed)
    log(f"planted findings listed ({time.perf_counter() - started:.1f}s)")
    result = scan(path, keep)
    log(f"scanned in {result.cpu_seconds:.2f}s CPU ({result.wall_seconds:.2f}s wall), "
        f"peak RSS {result.peak_rss_kib / 1024:.0f} MiB, exit {result.exit_code}")
    return compare(expected, result.report.get("findings", [])), result, path


def summary_line(size: int, fmt: str, comparison: Comparison, result: Scan,
                 file_bytes: int) -> str:
    faults = ", ".join(f"{n} {fault}" for fault, n in sorted(comparison.faults.items()))
    matched = sum(comparison.matched.values())
    ratio = result.peak_rss_kib * 1024 / file_bytes
    verdict = "exactly the planted findings" if comparison.ok else "DIFFERENT findings"
    return (f"{size} objects ({fmt}): {verdict}. Planted faults: {faults}; findings "
            f"expected {comparison.expected} (and {len(comparison.absent)} absent), reported "
            f"{comparison.reported}, matched {matched}; missing {len(comparison.missing)}, "
            f"unexpected {len(comparison.unexpected)}, duplicated {len(comparison.duplicated)}, "
            f"mismatched {len(comparison.mismatched)}. Scan: {result.cpu_seconds:.2f}s CPU, "
            f"peak RSS {result.peak_rss_kib / 1024:.0f} MiB ({ratio:.2f}x the file).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.planted",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("size", type=int, help="objects in the generated cluster")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", choices=("json", "yaml"), default="json")
    parser.add_argument("--inputs", type=Path, default=INPUTS,
                        help="folder of the generated inputs (reused when present)")
    parser.add_argument("--report", type=Path, default=None,
                        help="keep the scan's JSON report here")
    parser.add_argument("--from-report", type=Path, default=None,
                        help="compare this kept report instead of scanning (at 1M a scan "
                             "takes minutes; the planted list is derived again)")
    parser.add_argument("--output", type=Path, default=None,
                        help="also write the comparison and the scan's cost here as JSON")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except PlantedTwice as exc:
        print(f"the generator's list claims one finding twice: {exc}")
        return 2


def _run(args: argparse.Namespace) -> int:
    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if args.from_report:
        report = orjson.loads(args.from_report.read_bytes())
        comparison = compare(planted(args.size, args.seed), report.get("findings", []))
        for line in [*comparison.notes(), *comparison.lines()]:
            print(line)
        print(f"{args.size} objects, report {args.from_report}: "
              + ("exactly the planted findings" if comparison.ok else "DIFFERENT findings"))
        return 0 if comparison.ok else 1
    comparison, result, path = check(args.size, args.seed, args.format, args.inputs, log,
                                     args.report)
    failed = result.exit_code not in (0, 1) or bool(result.report.get("crashed"))
    summary = {"size": args.size, "seed": args.seed, "format": args.format, "input": str(path),
               "file_bytes": path.stat().st_size, "scan_exit_code": result.exit_code,
               "cpu_seconds": round(result.cpu_seconds, 3),
               "wall_seconds": round(result.wall_seconds, 3),
               "peak_rss_kib": result.peak_rss_kib, **comparison.to_json()}
    if args.output:
        args.output.write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))
    if failed:
        print(f"the scan failed (exit {result.exit_code}):\n{result.stderr}")
        return 2
    for line in [*comparison.notes(), *comparison.lines()]:
        print(line)
    print(summary_line(args.size, args.format, comparison, result, summary["file_bytes"]))
    return 0 if comparison.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
