"""The README's set-up commands stay what they claim: the first ones install kaudit (a venv,
or pipx) and run the demo with a command the CLI accepts; the test command is
exactly what CI runs (``.ci/run``)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.integrations.cliparse import parse_cli

ROOT = Path(__file__).resolve().parent.parent
QUICK_START = re.search(r"## Quick start\n(.*?)\n## ", (ROOT / "README.md").read_text(), re.S)


def _blocks() -> list[str]:
    assert QUICK_START is not None
    return [b.strip() for b in re.findall(r"```sh\n(.*?)```", QUICK_START[1], re.S)]


def _steps(block: str) -> list[list[str]]:
    return [shlex.split(step) for step in block.split("&&")]


def test_install_commands_run_the_demo() -> None:
    venv, pipx = _blocks()[:2]
    assert _steps(pipx)[0] == ["pipx", "install", "."]
    assert _steps(venv)[:3] == [["python3", "-m", "venv", ".venv"], [".", ".venv/bin/activate"],
                                ["pip", "install", "."]]
    for block in (pipx, venv):
        demo = _steps(block)[-1]
        assert demo[0] == "kaudit"
        assert parse_cli(demo[1:])[0] == "scan"
        assert "--demo" in demo


def test_the_test_command_is_what_ci_runs() -> None:
    test_command = _blocks()[2]
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci == test_command
