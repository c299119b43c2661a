"""Real incidents (fixtures/incidents): objects users pasted into public issue threads, with the
findings a correct auditor owes decided from what the thread concluded. They run through the
scenario runner (tests/scenarios/runner.py); an entry that waits for a capability another part
of issue 12 delivers names it under ``needs`` and is an expected failure until then.

Every incident main scan lists ``allowed``, so any other warning or error on real-world input
fails the suite as a false alarm.
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
SOURCE = re.compile(r"^# Source: (https://github\.com/\S+)", re.MULTILINE)


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
    """Each incident cites its thread (snapshot header and README), explains it in its README,
    is listed in INDEX.md with the same URL, and owes at least one expectation."""
    header = SOURCE.search((folder / "snapshot.yaml").read_text())
    assert header, "snapshot.yaml must start with '# Source: <issue URL>'"
    url = header.group(1)
    readme = (folder / "README.md").read_text()
    assert url in readme and "## What went wrong" in readme and "## What kaudit must say" \
        in readme
    index = (ROOT / "INDEX.md").read_text()
    assert f"[{folder.name}](" in index and url in index
    spec = yaml.safe_load((folder / "expected.yaml").read_text())
    assert spec.get("must_flag") or spec.get("must_not_flag")
    assert "allowed" in spec, "incidents list 'allowed' so that other findings are false alarms"
