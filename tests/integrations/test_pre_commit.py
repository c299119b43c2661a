"""The pre-commit hook, run by the real ``pre-commit try-repo`` on a throwaway repository.

Each ``try-repo`` builds the hook's environment afresh (``pip install`` of kaudit; its
dependencies come from the test interpreter's site-packages where they are, else from pip's
cache or PyPI): about 10 s a run, so the cases are few and each checks several things."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.conftest import FIXTURES
from tests.integrations.hookrepo import ROOT, commit_all, make_hook_repo

pytestmark = pytest.mark.integration


def test_hook_manifest_shape() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "kaudit")
    assert hook["language"] == "python"
    assert hook["entry"].split()[:2] == ["kaudit", "scan"]
    assert set(hook["types_or"]) == {"yaml", "json"}
    assert hook["require_serial"] is True


@pytest.fixture(scope="module")
def try_repo(tmp_path_factory: pytest.TempPathFactory):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    hook_repo = make_hook_repo(tmp_path_factory.mktemp("hook") / "kaudit")
    home = tmp_path_factory.mktemp("pre-commit-home")

    def run(files: dict[str, str]) -> subprocess.CompletedProcess[str]:
        work = tmp_path_factory.mktemp("work")
        for name, text in files.items():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            (work / name).write_text(text)
        commit_all(work)
        env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never",
               # Reuse dependencies the interpreter running the tests already has.
               "VIRTUALENV_SYSTEM_SITE_PACKAGES": "1"}
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "kaudit",
             "--all-files"], cwd=work, env=env, capture_output=True, text=True, timeout=900,
            check=False)

    return run


CLEAN = (FIXTURES / "inputs/clean.yaml").read_text()


def test_a_broken_manifest_fails_the_hook(try_repo) -> None:
    result = try_repo({"deploy/app.yaml": CLEAN, "deploy/broken.yaml": "kind: [unclosed\n",
                       "deploy/stuck.yaml": (FIXTURES / "inputs/stuck.yaml").read_text()})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "kaudit (Kubernetes manifests)" in result.stdout and "Failed" in result.stdout
    assert "KA001" in result.stdout and "deploy/broken.yaml" in result.stdout
    assert "FN001" in result.stdout


def test_clean_manifests_pass(try_repo) -> None:
    result = try_repo({"deploy/app.yaml": CLEAN, ".github/workflows/ci.yml": "on: push\n"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_a_commit_without_manifests_passes(try_repo) -> None:
    """pre-commit hands over every changed YAML file, often none of them a manifest."""
    result = try_repo({"mkdocs.yml": "site_name: docs\n", "README.md": "# hi\n"})
    assert result.returncode == 0, result.stdout + result.stderr
