"""Shared test plumbing: paths, the ``--update-expected`` switch, and an in-process scan."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


def shared_dir() -> Path | None:
    """``../shared`` beside the checkout (or ``KAUDIT_SHARED``); a user's clone has none."""
    env = os.environ.get("KAUDIT_SHARED")
    candidate = Path(env) if env else ROOT.parent / "shared"
    return candidate if candidate.is_dir() else None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-expected", action="store_true", default=False,
        help="Rewrite fixtures/rules/*/expected.yaml from what the rules report now; review "
             "the diff before committing.")


@pytest.fixture
def update_expected(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-expected"))


@pytest.fixture
def corpus() -> Path:
    shared = shared_dir()
    if shared is None or not (shared / "corpus").is_dir():
        pytest.skip("../shared/corpus is not present (it is not part of a user's clone)")
    return shared / "corpus"
