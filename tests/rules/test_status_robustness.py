"""The status rules read whatever a dump holds: fields of the wrong type must never crash them
(a crash is KA003 and hides the rule's findings). Deterministic mutation of the ST fixtures and
scenarios: every seed swaps some values for values of other types."""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml

from kaudit.engine import EngineSettings, run
from kaudit.rules.registry import load_catalogue
from kaudit.snapshot import KubeObject, Snapshot
from tests.conftest import FIXTURES

ODD: list[Any] = [None, 1, -5, 1.5, True, "x", "2024-13-99T00:00:00Z", [], {}, [1, "a"],
                  {"a": None}]
IDENTITY = {"apiVersion", "kind", "name", "namespace", "uid"}  # the loader rejects odd ones


def documents() -> list[dict[str, Any]]:
    files = [*sorted(FIXTURES.glob("rules/ST*/*.yaml")),
             *sorted(FIXTURES.glob("scenarios/*/*.yaml"))]
    return [d for f in files if f.name != "expected.yaml"
            for d in yaml.safe_load_all(f.read_text()) if isinstance(d, dict)]


def mutate(node: Any, rng: random.Random, rate: float) -> None:
    items = list(node.items()) if isinstance(node, dict) else \
        list(enumerate(node)) if isinstance(node, list) else []
    for key, value in items:
        if key in IDENTITY:
            continue
        if rng.random() < rate:
            node[key] = rng.choice(ODD)
        else:
            mutate(value, rng, rate)


ORIGINAL = documents()
CATALOGUE = load_catalogue()
PREVIOUS = Snapshot.build([KubeObject(copy.deepcopy(d)) for d in ORIGINAL])


@pytest.mark.parametrize("seed", range(40))
def test_status_rules_survive_odd_field_types(seed: int) -> None:
    rng = random.Random(seed)
    docs = copy.deepcopy(ORIGINAL)
    for doc in docs:
        mutate(doc, rng, rng.choice([0.02, 0.08, 0.2]))
        if not isinstance(doc.get("metadata"), dict):
            doc["metadata"] = {"name": "x"}
    result = run(Snapshot.build([KubeObject(d) for d in docs]), CATALOGUE,
                 EngineSettings(now=datetime(2024, 6, 1, tzinfo=UTC), select=("ST",),
                                previous=PREVIOUS))
    assert result.crashed == (), result.tracebacks
