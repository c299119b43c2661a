"""The incident scenarios (fixtures/scenarios, copied from ../shared/scenarios): each
``expected.yaml`` entry must be found, look-alikes must stay quiet, and no Secret value may
appear in a report. The runner (tests/scenarios/runner.py) also checks fixtures/incidents.

An expectation whose rule does not exist yet is an expected failure naming the missing rule,
so the suite shows what is still owed without going red; once the rule lands it must pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.scenarios.runner import CATALOGUE, blocks, check_block

ROOT = FIXTURES / "scenarios"
BLOCKS = blocks(ROOT)


@pytest.mark.parametrize(("folder", "block"), BLOCKS,
                         ids=[f"{f.name}:{b}" for f, b in BLOCKS])
def test_scenario(folder: Path, block: str) -> None:
    if block == "with_previous" and CATALOGUE.by_code("ST006") is None:
        pytest.xfail("--previous arrives with the status rules (ST006)")
    outcome = check_block(folder, block)
    assert outcome.problems == []
    if outcome.pending:
        pytest.xfail("rules not implemented yet: " + "; ".join(outcome.pending))
