"""Real incidents (fixtures/incidents): objects users pasted into public issue threads, with the
findings a correct auditor owes decided from what the thread concluded. They run through the
scenario runner (tests/scenarios/runner.py): an entry waiting for a capability another part of
issue 12 delivers names it under ``needs`` and is an expected failure until it lands; a
folder's ``known_gap`` marks an incident nobody catches yet.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES
from tests.scenarios.runner import blocks, check_block, folders

ROOT = FIXTURES / "incidents"
BLOCKS = blocks(ROOT)
SOURCE = re.compile(r"^https://github\.com/[\w.-]+/[\w.-]+/(issues|pull)/\d+$")


@pytest.mark.parametrize(("folder", "block"), BLOCKS,
                         ids=[f"{f.name}:{b}" for f, b in BLOCKS])
def test_incident(folder: Path, block: str) -> None:
    outcome = check_block(folder, block)
    assert outcome.problems == []
    if outcome.pending:
        pytest.xfail("waiting for: " + "; ".join(outcome.pending))


def test_at_least_twenty_incidents() -> None:
    assert len(folders(ROOT)) >= 20


@pytest.mark.parametrize("folder", folders(ROOT), ids=lambda f: f.name)
def test_incident_is_documented(folder: Path) -> None:
    """Each incident names its public thread (``source``), says what went wrong
    (``summary``), cites the thread on the first line of every input, owes at least one finding,
    and is listed in INDEX.md with the same URL."""
    spec = yaml.safe_load((folder / "expected.yaml").read_text())
    assert SOURCE.match(spec.get("source", "")), "source: the issue or pull request URL"
    assert spec.get("summary"), "summary: what went wrong, in one line"
    assert spec.get("must_flag"), "an incident says what kaudit must report"
    for name in spec["scan"]:
        first = (folder / name).read_text().split("\n", 1)[0]
        assert first.startswith("#") and spec["source"] in first, \
            f"{name} starts with a comment citing {spec['source']}"
    index = (ROOT / "INDEX.md").read_text()
    assert f"[{folder.name}](" in index and spec["source"] in index, "listed in INDEX.md"
