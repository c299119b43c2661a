"""The README's CI snippets and ``action.yml`` work as written: their YAML parses, their
structure is what each CI system reads, and every kaudit command line in them parses with the
real CLI. The action's scan script is run with bash, as the runner would run it."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from kaudit.report import FORMATTERS
from tests.conftest import FIXTURES
from tests.integrations.cliparse import parse_cli

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
SNIPPET = re.compile(r"```(?P<lang>yaml|groovy)\n(?:#|//) (?P<name>\S+)\n(?P<body>.*?)```", re.S)


def snippets() -> dict[str, str]:
    return {m["name"]: m["body"] for m in SNIPPET.finditer(README)}


def kaudit_args(line: str) -> list[str] | None:
    """The arguments after ``kaudit`` (or ``python -m kaudit``) in a shell line, if any."""
    words = shlex.split(line)
    for i, word in enumerate(words):
        if word == "kaudit" and (i == 0 or words[i - 1] == "-m"):
            return words[i + 1:]
    return None


def commands_in(lines: list[str]) -> list[list[str]]:
    found = [kaudit_args(line) for line in lines]
    return [args for args in found if args is not None]


def assert_parses(commands: list[list[str]]) -> None:
    assert commands, "no kaudit command found"
    for args in commands:
        name, _ = parse_cli(args)
        assert name in ("scan", "baseline", "create", "explain", "graph", "rules", "show",
                        "list", "snapshot", "diff")


def test_every_ci_snippet_is_there() -> None:
    assert set(snippets()) >= {".github/workflows/kaudit.yml", ".gitlab-ci.yml", "Jenkinsfile",
                               ".pre-commit-config.yaml"}


def test_github_workflow() -> None:
    workflow = yaml.safe_load(snippets()[".github/workflows/kaudit.yml"])
    assert workflow["permissions"]["security-events"] == "write"
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    action = next(s for s in steps if str(s.get("uses", "")).split("@")[0].endswith("/kaudit"))
    inputs = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]
    assert set(action["with"]) <= set(inputs)
    assert_parses(commands_in([s["run"] for s in steps if "run" in s]))


def test_gitlab_job_reports_junit() -> None:
    job = yaml.safe_load(snippets()[".gitlab-ci.yml"])["kaudit"]
    commands = commands_in(job["script"])
    assert_parses(commands)
    junit = job["artifacts"]["reports"]["junit"]
    assert f"junit={junit}" in commands[0]
    assert job["artifacts"]["when"] == "always"  # the report is kept when the gate fails


def test_jenkins_pipeline() -> None:
    text = snippets()["Jenkinsfile"]
    assert text.count("{") == text.count("}") and text.strip().startswith("pipeline {")
    shell = re.findall(r"sh '([^']*)'", text)
    commands = commands_in(shell)
    assert_parses(commands)
    junit = re.search(r"junit '([^']+)'", text)
    assert junit and f"junit={junit[1]}" in commands[0]


def test_pre_commit_config_uses_the_hook() -> None:
    config = yaml.safe_load(snippets()[".pre-commit-config.yaml"])
    hook = config["repos"][0]["hooks"][0]
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hook["id"] in hooks
    entry = kaudit_args(hooks[hook["id"]]["entry"])
    assert entry is not None
    # pre-commit runs: entry + args + the changed files.
    assert_parses([[*entry, *hook["args"], "deploy/app.yaml"]])


# --- action.yml ---------------------------------------------------------------------------


def action() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "action.yml").read_text())


def test_action_is_a_composite_action_with_the_inputs() -> None:
    doc = action()
    assert doc["runs"]["using"] == "composite"
    assert {"paths", "fail-on", "config"} <= set(doc["inputs"])
    steps = doc["runs"]["steps"]
    assert all("shell" in s for s in steps if "run" in s)
    upload = next(s for s in steps if str(s.get("uses", "")).startswith(
        "github/codeql-action/upload-sarif@"))
    assert "always()" in upload["if"] and "inputs.upload-sarif" in upload["if"]
    assert doc["outputs"]["exit-code"]["value"] == "${{ steps.scan.outputs.exit-code }}"


def _scan_step() -> dict[str, Any]:
    return next(s for s in action()["runs"]["steps"] if s.get("id") == "scan")


def _run_scan_step(tmp_path: Path, paths: str, **inputs: str) -> tuple[str, Path]:
    """The scan step's script under bash, with the env the runner would give it."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    step = _scan_step()
    defaults = {k: str(v.get("default", "")) for k, v in action()["inputs"].items()}
    values = {**defaults, "paths": paths, **inputs}
    env = {name: re.sub(r"\$\{\{ inputs\.([\w-]+) \}\}", lambda m: values[m[1]], value)
           for name, value in step["env"].items()}
    output = tmp_path / "github-output"
    output.write_text("")
    result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=tmp_path,
                            env={**os.environ, **env, "GITHUB_OUTPUT": str(output)},
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr  # the step itself never fails: the gate does
    return output.read_text(), tmp_path / values["sarif-file"]


def test_action_scan_step_records_the_exit_code(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    scripts = Path(sys.executable).parent
    if not (scripts / "kaudit").exists() and shutil.which("kaudit") is None:
        pytest.skip("the kaudit console script is not installed")
    # The action installs kaudit into the job's Python: here, the one running the tests.
    monkeypatch.setenv("PATH", f"{scripts}{os.pathsep}{os.environ['PATH']}")
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    shutil.copy(FIXTURES / "inputs/stuck.yaml", deploy / "stuck.yaml")
    shutil.copy(FIXTURES / "inputs/clean.yaml", tmp_path / "clean.yaml")
    failing, sarif = _run_scan_step(tmp_path, "deploy/")
    assert failing.strip() == "exit-code=1"
    if "sarif" in FORMATTERS:  # `-o FORMAT=FILE` and the SARIF writer (the report layer)
        assert '"version": "2.1.0"' in sarif.read_text()
    passing, _ = _run_scan_step(tmp_path, "clean.yaml")
    assert passing.strip() == "exit-code=0"
    lenient, _ = _run_scan_step(tmp_path, "deploy/", **{"fail-on": "never"})
    assert lenient.strip() == "exit-code=0"


def test_action_scan_command_parses() -> None:
    """The command the script builds, with the defaults, parses with the real CLI."""
    script = _scan_step()["run"]
    built = re.search(r"args=\((.*)\)", script)
    assert built is not None
    options = shlex.split(built[1].replace('"$KAUDIT_FAIL_ON"', "error")
                          .replace('"sarif=$KAUDIT_SARIF"', "sarif=kaudit.sarif"))
    assert_parses([["scan", ".", *options, "--config", "kaudit.toml"]])
