"""The scenario/incident runner's own rules: what counts as a failure, what as an expected
failure (``needs``, a missing rule, ``known_gap``) and what as a false alarm (``allowed``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.scenarios.runner import check_block

# A namespace Terminating for 2h: FN004 (error) is the one finding kaudit owes here.
SNAPSHOT = """\
apiVersion: v1
kind: Namespace
metadata: {name: stuck, deletionTimestamp: "2024-06-01T10:00:00Z"}
spec: {finalizers: [kubernetes]}
status: {phase: Terminating}
"""
NOW = "2024-06-01T12:00:00Z"
FN004 = {"code": "FN004", "object": "v1 Namespace stuck"}


def folder(tmp_path: Path, **spec: Any) -> Path:
    (tmp_path / "snapshot.yaml").write_text(SNAPSHOT)
    (tmp_path / "expected.yaml").write_text(
        yaml.safe_dump({"now": NOW, "scan": ["snapshot.yaml"], **spec}))
    return tmp_path


def test_found_entries_pass(tmp_path: Path) -> None:
    outcome = check_block(folder(tmp_path, must_flag=[FN004]), "main")
    assert outcome.problems == [] and outcome.pending == []


def test_a_missing_entry_fails_unless_it_names_what_it_waits_for(tmp_path: Path) -> None:
    absent = {"code": "FN004", "object": "v1 Namespace other"}
    failed = check_block(folder(tmp_path, must_flag=[absent]), "main")
    assert len(failed.problems) == 1 and failed.pending == []
    waiting = check_block(folder(tmp_path, must_flag=[{**absent, "needs": "a capability"}]),
                          "main")
    assert waiting.problems == [] and "needs a capability" in waiting.pending[0]
    unknown = check_block(folder(tmp_path, must_flag=[{"code": "ZZ999"}]), "main")
    assert unknown.problems == [] and "rule ZZ999" in unknown.pending[0]


def test_must_not_flag_fails_unless_it_waits_for_a_capability(tmp_path: Path) -> None:
    failed = check_block(folder(tmp_path, must_not_flag=[FN004]), "main")
    assert len(failed.problems) == 1
    waiting = check_block(folder(tmp_path, must_not_flag=[{**FN004, "needs": "x"}]), "main")
    assert waiting.problems == [] and len(waiting.pending) == 1


def test_known_gap_is_expected_while_missing_and_fails_once_caught(tmp_path: Path) -> None:
    absent = {"code": "FN004", "object": "v1 Namespace other"}
    gap = check_block(folder(tmp_path, must_flag=[absent], known_gap="not yet"), "main")
    assert gap.problems == [] and gap.pending == ["known gap: not yet"]
    caught = check_block(folder(tmp_path, must_flag=[FN004], known_gap="not yet"), "main")
    assert caught.problems and "remove known_gap" in caught.problems[0]


def test_allowed_turns_other_warnings_into_false_alarms(tmp_path: Path) -> None:
    alarm = check_block(folder(tmp_path, allowed=[]), "main")
    assert alarm.problems and alarm.problems[0].startswith("false alarm FN004")
    quiet = check_block(folder(tmp_path, allowed=[{"code": "FN004"}]), "main")
    assert quiet.problems == []
