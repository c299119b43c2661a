"""GitHub reads a workflow annotation's ``file`` and a pull-request comment's relative links
from the repository root: run from a subfolder of a checkout, the ``github`` and ``markdown``
formats still name files from the root, as SARIF does (``test_sarif_srcroot.py``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaudit.cli import app

MANIFEST = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: stuck\n  namespace: shop\n"
            '  deletionTimestamp: "2024-01-01T00:00:00Z"\n  finalizers: [example.org/x]\n')


def _scan(fmt: str) -> str:
    result = CliRunner().invoke(app, ["scan", "app", "--now", "2024-06-01T12:00:00Z",
                                      "--fail-on", "never", "-o", fmt])
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture
def in_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "deploy/app").mkdir(parents=True)
    (root / "deploy/app/pod.yaml").write_text(MANIFEST)
    monkeypatch.chdir(root / "deploy")


@pytest.mark.usefixtures("in_subfolder")
def test_github_annotations_name_the_file_from_the_repository_root() -> None:
    files = set(re.findall(r"file=([^,]+),", _scan("github")))
    assert files == {"deploy/app/pod.yaml"}


@pytest.mark.usefixtures("in_subfolder")
def test_markdown_links_point_from_the_repository_root() -> None:
    text = _scan("markdown")
    assert "(deploy/app/pod.yaml#L1)" in text
    assert "[app/pod.yaml:1]" in text  # what a reader in that folder typed stays as shown


def test_outside_a_checkout_paths_stay_relative_to_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app/pod.yaml").write_text(MANIFEST)
    monkeypatch.chdir(tmp_path)
    assert set(re.findall(r"file=([^,]+),", _scan("github"))) == {"app/pod.yaml"}
