from __future__ import annotations

from pathlib import Path

import pytest

from kaudit.engine import EngineSettings, run, selected_rules
from kaudit.rules.options import OptionError
from kaudit.rules.registry import load_catalogue
from kaudit.snapshot.files import load_snapshot
from kaudit.timeutil import parse_time
from tests.conftest import FIXTURES

NOW = parse_time("2024-06-01T12:00:00Z")
STUCK = str(FIXTURES / "inputs/stuck.yaml")


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def test_a_crashing_rule_becomes_ka003_and_the_others_still_run() -> None:
    catalogue = load_catalogue([FIXTURES / "rules-dirs/crashing"])
    result = run(load_snapshot([STUCK]), catalogue, EngineSettings(now=NOW))
    assert result.crashed == ("XX901",)
    assert "FN001" in codes(result.findings)
    (crash,) = [f for f in result.findings if f.code == "KA003"]
    assert "XX901 always-crashes crashed: RuntimeError: boom" in crash.message


def test_select_and_ignore_take_codes_prefixes_and_names() -> None:
    catalogue = load_catalogue()
    names = [r.code for r in selected_rules(catalogue, ["FN", "dangling-reference"], [])]
    assert names == ["FN001", "FN002", "FN003", "FN004", "FN005", "ST004"]
    assert "FN001" not in [r.code for r in selected_rules(catalogue, [], ["stuck-deletion"])]


def test_options_come_from_configuration_typed() -> None:
    snapshot = load_snapshot([STUCK])
    settings = EngineSettings(now=NOW, select=("FN001",),
                              options={"stuck-deletion": {"grace": "4h"}})
    assert codes(run(snapshot, load_catalogue(), settings).findings) == []
    with pytest.raises(OptionError, match="unknown option 'grace-period'"):
        run(snapshot, load_catalogue(), EngineSettings(
            now=NOW, options={"FN001": {"grace-period": "4h"}}))


def test_severity_override() -> None:
    from kaudit.model import Severity

    settings = EngineSettings(now=NOW, select=("FN001",), severities={"FN001": Severity.INFO})
    result = run(load_snapshot([STUCK]), load_catalogue(), settings)
    assert {f.severity for f in result.findings} == {Severity.INFO}


def test_baseline_hides_known_findings_and_reports_stale_entries() -> None:
    snapshot = load_snapshot([STUCK])
    first = run(snapshot, load_catalogue(), EngineSettings(now=NOW, select=("FN001",)))
    baseline = frozenset({f.fingerprint for f in first.findings} | {"FN001:gone:x/y:"})
    second = run(snapshot, load_catalogue(),
                 EngineSettings(now=NOW, select=("FN001", "KA004"), baseline=baseline))
    assert [(f.code, f.message.split(" matched")[0]) for f in second.findings] == [
        ("KA004", "baseline entry FN001:gone:x/y:")]


def test_findings_are_sorted_and_deduplicated(tmp_path: Path) -> None:
    twice = tmp_path / "twice.yaml"
    twice.write_text(Path(STUCK).read_text() + "---\n" + Path(STUCK).read_text())
    result = run(load_snapshot([str(twice)]), load_catalogue(),
                 EngineSettings(now=NOW, select=("FN001",)))
    assert len(result.findings) == 1
