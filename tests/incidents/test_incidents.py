"""Real incidents as fixtures: objects users pasted into public issue threads
(``fixtures/incidents/<name>/``), each with its source URL and the findings decided from the
incident, not from kaudit's output.

They run like the scenarios (the same matching, the same Secret-leak check). An incident
kaudit cannot catch yet says so in ``known_gap`` and is an expected failure naming the gap;
once it is caught, the ``known_gap`` line must go (the test then fails as an unexpected pass
would otherwise hide it).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.audit import audit, ref
from tests.conftest import FIXTURES
from tests.scenarios.test_scenarios import implemented, matches, secret_values

INCIDENTS = sorted(p.parent for p in (FIXTURES / "incidents").glob("*/expected.yaml"))
SOURCE = re.compile(r"^https://github\.com/[\w.-]+/[\w.-]+/(issues|pull)/\d+$")
KEYS = {"source", "summary", "now", "scan", "against", "must_flag", "must_not_flag",
        "known_gap"}


def test_there_are_at_least_twenty_incidents() -> None:
    assert len(INCIDENTS) >= 20


@pytest.mark.parametrize("folder", INCIDENTS, ids=[p.name for p in INCIDENTS])
def test_incident(folder: Path) -> None:
    spec: dict[str, Any] = yaml.safe_load((folder / "expected.yaml").read_text())
    assert set(spec) <= KEYS, set(spec) - KEYS
    assert SOURCE.match(spec["source"]), "every incident names the public thread it is from"
    assert spec["must_flag"], "an incident says what kaudit must report"
    for name in spec["scan"]:
        head = (folder / name).read_text().split("\n", 1)[0]
        assert spec["source"] in head, f"{name} starts with a comment citing the source"
    paths = [folder / p for p in spec["scan"]]
    report = audit([str(p) for p in paths], now=spec["now"],
                   against=[str(folder / p) for p in spec.get("against", [])])
    findings = report["findings"]
    missing = [e for e in spec["must_flag"] if not any(matches(f, e) for f in findings)]
    unexpected = [f"{e} matched {ref(f['object'])}" for e in spec.get("must_not_flag", [])
                  for f in findings if matches(f, e)]
    leaked = [v for v in secret_values(paths) if v in json.dumps(report)]
    assert not leaked, "a Secret value appears in the report"
    assert not unexpected
    gap = spec.get("known_gap")
    if gap:
        assert missing, f"caught now: remove known_gap from {folder.name}/expected.yaml"
        pytest.xfail(f"known gap: {' '.join(gap.split())}")
    pending = [e for e in missing if not implemented(e)]
    assert [e for e in missing if e not in pending] == [], \
        "\n".join(f"missing {e}" for e in missing)
    if pending:
        pytest.xfail(f"rules not implemented yet: {pending}")
