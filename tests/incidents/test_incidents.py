"""Real incidents as fixtures: objects users pasted into public issue threads
(``fixtures/incidents/<name>/``), each with its source URL and the findings decided from the
incident, not from kaudit's output (``fixtures/incidents/INDEX.md`` lists them).

They run through the scenario runner (``tests/scenarios/runner.py``: the same matching and
Secret-leak check as the scenarios). An entry waiting for a capability still being built names
it under ``needs`` and is an expected failure until it lands; an incident nobody catches yet
says so in ``known_gap`` and is an expected failure naming the gap, which turns into a failure
once it is caught (the ``known_gap`` line must then go).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES
from tests.scenarios.runner import blocks, check_block, folders

ROOT = FIXTURES / "incidents"
INCIDENTS = folders(ROOT)
BLOCKS = blocks(ROOT)
SOURCE = re.compile(r"^https://github\.com/[\w.-]+/[\w.-]+/(issues|pull)/\d+$")
KEYS = {"source", "summary", "now", "scan", "against", "must_flag", "must_not_flag",
        "known_gap"}


def test_there_are_at_least_twenty_incidents() -> None:
    assert len(INCIDENTS) >= 20


@pytest.mark.parametrize(("folder", "block"), BLOCKS,
                         ids=[f"{f.name}:{b}" for f, b in BLOCKS])
def test_incident(folder: Path, block: str) -> None:
    outcome = check_block(folder, block)
    assert outcome.problems == []
    if outcome.pending:
        pytest.xfail("waiting for: " + "; ".join(outcome.pending))


@pytest.mark.parametrize("folder", INCIDENTS, ids=[p.name for p in INCIDENTS])
def test_incident_is_documented(folder: Path) -> None:
    """Each incident names its public thread (``source``), says what went wrong
    (``summary``), cites the thread on the first line of every scanned input, owes at least one
    finding, and is listed in INDEX.md with the same URL."""
    spec: dict[str, Any] = yaml.safe_load((folder / "expected.yaml").read_text())
    assert set(spec) <= KEYS, set(spec) - KEYS
    assert SOURCE.match(spec.get("source", "")), "every incident names the public thread"
    assert spec.get("summary"), "summary: what went wrong, in one line"
    assert spec.get("must_flag"), "an incident says what kaudit must report"
    for name in spec["scan"]:
        head = (folder / name).read_text().split("\n", 1)[0]
        assert head.startswith("#") and spec["source"] in head, \
            f"{name} starts with a comment citing the source"
    index = (ROOT / "INDEX.md").read_text()
    assert f"[{folder.name}](" in index and spec["source"] in index, "listed in INDEX.md"
