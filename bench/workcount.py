"""Count the work each phase, extractor and rule does: ``python -m bench.workcount 1000 10000``.

A quadratic path hides at the sizes tests use and shows only at 100k objects, in a benchmark
nobody runs on every commit. Timings cannot guard against it on a shared CI machine; counts
can. This module runs each unit of a full scan on its own (loading, indexing, every graph
extractor, every rule) under a tracer that counts

- ``lines``: Python lines executed, in kaudit and below it (the work, whatever its shape);
- ``calls``: Python function calls;
- ``lookups``: calls of the snapshot's and graph's lookups (``get``, ``of_kind``, ``having``,
  ``in_namespace``, ``by_uid``, ``outgoing``, ``incoming``…);
- ``objects``: distinct objects whose attributes the unit read (objects visited).

Every extractor is drained on its own, as written; ``contains`` too, although
``build_graph`` answers containment from the snapshot's namespace index without calling it.
The counts are deterministic for one input, so the CI test (``tests/bench/test_growth.py``)
compares two sizes of the benchmark's generated cluster and fails when any unit grows faster
than linearly. Work done in C (a sort, ``orjson``) is not counted; it is not where a Python
quadratic hides.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)

LOOKUPS = frozenset({
    "get", "all_with_key", "having", "by_uid", "of_kind", "in_namespace", "with_field",
    "candidates", "outgoing", "incoming", "relations_into", "node", "ref_of",
})
"""Function names counted as lookups when defined in the snapshot or graph modules."""
_LOOKUP_FILES = ("snapshot/snapshot.py", "graph/graph.py", "rules/context.py")
_OBJECT_FILE = "snapshot/object.py"


@dataclass
class Work:
    lines: int = 0
    calls: int = 0
    lookups: int = 0
    objects: set[int] = field(default_factory=set)

    def as_row(self) -> dict[str, int]:
        return {"lines": self.lines, "calls": self.calls, "lookups": self.lookups,
                "objects": len(self.objects)}


def count(fn: Callable[[], Any]) -> tuple[Any, Work]:
    """Run ``fn`` under a tracer; its result and the work it did."""
    work = Work()
    objects = work.objects

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            work.lines += 1
        return local

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if event != "call":
            return None
        work.calls += 1
        code = frame.f_code
        filename = code.co_filename.replace("\\", "/")
        if code.co_name in LOOKUPS and filename.endswith(_LOOKUP_FILES):
            work.lookups += 1
        elif filename.endswith(_OBJECT_FILE):
            this = frame.f_locals.get("self")
            if this is not None:
                objects.add(id(this))
        return local

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        result = fn()
    finally:
        sys.settrace(previous)
    return result, work


def _drain(iterable: Iterable[Any]) -> list[Any]:
    return list(iterable)


def measure(path: Path) -> dict[str, dict[str, int]]:
    """The work of every unit of a full scan of ``path``, keyed ``phase:name``."""
    from kaudit.engine import EngineSettings, resolve_options
    from kaudit.graph import build_graph
    from kaudit.graph.edges import EXTRACTORS
    from kaudit.rules.context import RuleContext
    from kaudit.rules.registry import load_catalogue
    from kaudit.snapshot.files import load_snapshot

    out: dict[str, dict[str, int]] = {}
    catalogue = load_catalogue([])
    snapshot, work = count(lambda: load_snapshot([str(path)]))
    out["load:snapshot"] = work.as_row()
    for extractor in EXTRACTORS:
        name = f"extract:{extractor.relation}"
        _, work = count(lambda e=extractor: _drain(e.extract(snapshot)))
        if name in out:  # several field-reference extractors share a relation name
            row = out[name]
            for k, v in work.as_row().items():
                row[k] += v
        else:
            out[name] = work.as_row()
    graph, work = count(lambda: build_graph(snapshot))
    out["graph:build"] = work.as_row()
    settings = EngineSettings(now=NOW)
    for rule_type in catalogue.rules:
        ctx = RuleContext(snapshot, graph, resolve_options(rule_type, settings.options),
                          settings.now)
        _, work = count(lambda r=rule_type, c=ctx: _drain(r().check(c)))
        out[f"rule:{rule_type.code}"] = work.as_row()
    return out


def growth(small: dict[str, dict[str, int]], large: dict[str, dict[str, int]],
           ) -> dict[str, dict[str, float]]:
    """Per unit and measure, large over small (a unit absent at one size counts as 1)."""
    out: dict[str, dict[str, float]] = {}
    for unit in sorted(large):
        row = {}
        for measure_name, value in large[unit].items():
            before = small.get(unit, {}).get(measure_name, 0)
            row[measure_name] = value / max(before, 1)
        out[unit] = row
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse
    import tempfile

    from bench.generate import write_inputs

    parser = argparse.ArgumentParser(prog="python -m bench.workcount")
    parser.add_argument("sizes", type=int, nargs=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        counts = [measure(write_inputs(size, 1, Path(tmp))[0]) for size in args.sizes]
    ratios = growth(*counts)
    print(f"{'unit':34} {'lines':>10} {'lookups':>8} {'objects':>8}   growth x (lines, lookups, "
          f"objects) for {args.sizes[1] / args.sizes[0]:g}x objects")
    for unit, row in ratios.items():
        big = counts[1][unit]
        print(f"{unit:34} {big['lines']:10} {big['lookups']:8} {big['objects']:8}   "
              f"{row['lines']:6.2f} {row['lookups']:6.2f} {row['objects']:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
