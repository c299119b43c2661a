"""A throwaway git repository holding what kaudit ships (package, hook manifest, action), so
integration tests run the real tools against the real files without touching the work tree
(``pre-commit try-repo`` only sees committed or tracked files)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", ".pre-commit-hooks.yaml",
           "action.yml", "kaudit", "rules")
# Fixed dates: the same content gives the same commit, so tools that key caches on it reuse.
GIT_ENV = {"GIT_AUTHOR_NAME": "kaudit tests", "GIT_AUTHOR_EMAIL": "tests@kaudit.invalid",
           "GIT_COMMITTER_NAME": "kaudit tests", "GIT_COMMITTER_EMAIL": "tests@kaudit.invalid",
           "GIT_AUTHOR_DATE": "2024-06-01T12:00:00Z", "GIT_COMMITTER_DATE": "2024-06-01T12:00:00Z"}


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV}, timeout=60)


def commit_all(folder: Path) -> None:
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "snapshot")


def make_hook_repo(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, target / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif src.exists():
            shutil.copy2(src, target / name)
    commit_all(target)
    return target
