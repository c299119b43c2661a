"""Every built-in reader's ``Reads`` declaration, proven on real inputs.

Each folder below is scanned twice in one process: with every object whole, and with every
object of a lean kind (manifests too) in its *strict* lean form, where reading a body field no
reader declared raises (``kaudit.snapshot.reads.StrictDict``). The two JSON reports must be
identical byte for byte: no rule crashed on an undeclared read, and no rule saw less than it
would have. The folders are the rule fixtures, the incidents, the scenarios and the corpus's
real cluster dumps: thousands of real Pods, workloads and Events.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.audit import audit

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
DUMPS = ROOT.parent / "shared" / "corpus" / "dumps"
NOW = "2024-06-01T00:00:00Z"

FOLDERS = sorted(
    [p for p in (FIXTURES / "rules").iterdir() if p.is_dir()]
    + [p for p in (FIXTURES / "incidents").iterdir() if p.is_dir()]
    + [p for p in (FIXTURES / "scenarios").iterdir() if p.is_dir()])


def _same(folder: Path) -> None:
    whole = audit([str(folder)], now=NOW, lean=False)
    lean = audit([str(folder)], now=NOW)
    crashed = [f["message"] for f in lean["findings"] if f["code"] == "KA003"]
    assert crashed == []
    assert orjson.dumps(lean, option=orjson.OPT_SORT_KEYS) == \
        orjson.dumps(whole, option=orjson.OPT_SORT_KEYS)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_lean_objects_change_no_finding(folder: Path) -> None:
    _same(folder)


@pytest.mark.corpus
@pytest.mark.skipif(not DUMPS.is_dir(), reason="../shared/corpus is absent")
@pytest.mark.parametrize("dump", sorted(p.name for p in DUMPS.iterdir() if p.is_dir())
                         if DUMPS.is_dir() else [])
def test_lean_objects_change_no_finding_on_real_dumps(dump: str) -> None:
    _same(DUMPS / dump)
