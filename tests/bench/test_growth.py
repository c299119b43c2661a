"""No phase, extractor or rule grows faster than linearly with the cluster (DESIGN.md §5).

Work is counted, not timed (``bench/workcount.py``): lines executed, lookups and objects
visited by each unit of a full scan, at two sizes of the benchmark's generated cluster. A unit
whose work grows more than ``SLACK`` times faster than the object count fails, naming itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.generate import write_inputs
from bench.workcount import count, growth, measure

SMALL, LARGE = 400, 4000
SLACK = 1.5
"""Allowed growth beyond linear: the generator's mix of kinds is not exactly proportional at
small sizes (one app more or less, the fixed CRDs); quadratic work grows 10x beyond linear."""


@pytest.fixture(scope="module")
def counts(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    folder = tmp_path_factory.mktemp("growth")
    return (measure(write_inputs(SMALL, 1, folder)[0]),
            measure(write_inputs(LARGE, 1, folder)[0]))


def test_every_unit_grows_at_most_linearly(counts: tuple[dict, dict]) -> None:
    small, large = counts
    limit = SLACK * LARGE / SMALL
    too_fast = {
        f"{unit} {measure_name}": round(ratio, 1)
        for unit, row in growth(small, large).items()
        for measure_name, ratio in row.items()
        if ratio > limit and large[unit][measure_name] > 1000  # tiny counts are noise
    }
    assert too_fast == {}


def test_every_rule_and_extractor_is_counted(counts: tuple[dict, dict]) -> None:
    from kaudit.graph.edges import EXTRACTORS
    from kaudit.rules.registry import load_catalogue

    _, large = counts
    assert {f"rule:{r.code}" for r in load_catalogue([]).rules} <= set(large)
    assert {f"extract:{e.relation}" for e in EXTRACTORS} <= set(large)
    # The scan's big units do visible work: the counter is attached where the work is.
    assert large["load:snapshot"]["objects"] == LARGE
    assert large["graph:build"]["lines"] > LARGE


def test_a_quadratic_unit_is_caught() -> None:
    """The measure itself: a pairwise comparison is reported as growing 10x faster."""

    def pairwise(n: int) -> int:
        items = list(range(n))
        same = 0
        for a in items:
            for b in items:
                same += a == b
        return same

    def linear(n: int) -> int:
        total = 0
        for a in range(n):
            total += a
        return total

    rows = []
    for n in (40, 400):
        rows.append({"quadratic": count(lambda n=n: pairwise(n))[1].as_row(),
                     "linear": count(lambda n=n: linear(n))[1].as_row()})
    ratios = growth(*rows)
    assert ratios["quadratic"]["lines"] > 90
    assert ratios["linear"]["lines"] < 10.5


def test_workcount_cli_prints_every_unit(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from bench import workcount

    assert workcount.main(["100", "200"]) == 0
    out = capsys.readouterr().out
    assert "rule:FN001" in out and "extract:owner" in out
