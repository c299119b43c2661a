"""``--help`` reads well and shell completion is there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from kaudit.cli import app

runner = CliRunner()


def _commands() -> list[list[str]]:
    """Every command path of the app: ``[]``, ``["scan"]``, ``["rules", "show"]``…"""
    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        found.append(path)
        # typer 0.2x vendors its own click: duck-type groups rather than import either.
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


@pytest.mark.parametrize("path", _commands(), ids=lambda p: " ".join(p) or "kaudit")
def test_help_shows_no_value_type_for_flags(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    assert "<bool>" not in result.stdout


def test_flags_still_listed_and_value_options_keep_their_type() -> None:
    text = runner.invoke(app, ["scan", "--help"], env={"COLUMNS": "160"}).stdout
    demo = next(line for line in text.splitlines() if "--demo" in line)
    assert "Scan the demo snapshot" in demo and "<" not in demo
    now = next(line for line in text.splitlines() if "--now" in line)
    assert "<str>" in now or "TEXT" in now


def _console_script() -> str:
    beside = Path(sys.executable).with_name("kaudit")
    found = str(beside) if beside.exists() else shutil.which("kaudit")
    if found is None:
        pytest.skip("the kaudit console script is not installed")
    return found


def test_shell_completion_is_offered_and_completes() -> None:
    text = runner.invoke(app, ["--help"], env={"COLUMNS": "120"}).stdout
    assert "--install-completion" in text and "--show-completion" in text
    shown = runner.invoke(app, ["--show-completion", "bash"], prog_name="kaudit")
    assert "_KAUDIT_COMPLETE=complete_bash" in shown.stdout
    # What bash asks when the user presses TAB after `kaudit scan --fa`.
    env = {**os.environ, "_KAUDIT_COMPLETE": "complete_bash",
           "COMP_WORDS": "kaudit scan --fa", "COMP_CWORD": "2"}
    result = subprocess.run([_console_script()], env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.stdout.split() == ["--fail-on"]


def test_rule_codes_and_names_complete() -> None:
    env = {**os.environ, "_KAUDIT_COMPLETE": "complete_bash"}

    def complete(words: str) -> list[str]:
        result = subprocess.run([_console_script()], capture_output=True, text=True, timeout=60,
                                check=False, env={**env, "COMP_WORDS": words,
                                                  "COMP_CWORD": str(len(words.split()) - 1)})
        return result.stdout.split()

    assert complete("kaudit rules show FN00") == [f"FN00{i}" for i in range(1, 6)]
    assert complete("kaudit scan --select FN001,stuck") == ["FN001,stuck-deletion"]
    assert complete("kaudit scan --ignore orphan-fin") == ["orphan-finalizer-lingering"]
