"""SARIF URIs are relative to the git work tree, as GitHub code scanning reads them, wherever
in the checkout kaudit runs; files outside it get absolute ``file:`` URIs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.report.srcroot import source_root

MANIFEST = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: shop\n"
            '  deletionTimestamp: "2024-01-01T00:00:00Z"\n  finalizers: [example.org/x]\n')


def _write(path: Path, name: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(MANIFEST.format(name=name))
    return path


def _sarif(*args: str) -> dict:
    result = CliRunner().invoke(app, ["scan", *args, "--now", "2024-06-01T12:00:00Z",
                                      "--fail-on", "never", "-o", "sarif"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["runs"][0]


def _uris(run: dict) -> dict[str, tuple[str, str | None]]:
    out = {}
    for r in run["results"]:
        art = r["locations"][0]["physicalLocation"]["artifactLocation"]
        out[r["locations"][0]["logicalLocations"][0]["name"]] = (art["uri"],
                                                                   art.get("uriBaseId"))
    return out


@pytest.fixture(params=["dir", "file"])
def repo(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A checkout: ``.git`` a folder (a clone) or a file (a worktree, a submodule)."""
    root = tmp_path / "repo"
    root.mkdir()
    if request.param == "dir":
        (root / ".git").mkdir()
    else:
        (root / ".git").write_text("gitdir: /elsewhere/.git/worktrees/repo\n")
    return root


def test_uris_are_repository_relative_from_a_subfolder(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(repo / "deploy/app/pod.yaml", "in-sub")
    _write(repo / "base/pod.yaml", "sibling")
    outside = _write(tmp_path / "elsewhere/pod.yaml", "outside")
    monkeypatch.chdir(repo / "deploy")
    run = _sarif("app", "../base/pod.yaml", str(outside))
    assert _uris(run) == {
        "in-sub": ("deploy/app/pod.yaml", "%SRCROOT%"),
        "sibling": ("base/pod.yaml", "%SRCROOT%"),
        "outside": (outside.resolve().as_uri(), None),
    }
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"


def test_same_uris_from_the_root_and_from_a_subfolder(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(repo / "deploy/pod.yaml", "p")
    monkeypatch.chdir(repo)
    from_root = _sarif("deploy")
    monkeypatch.chdir(repo / "deploy")
    # Only the input paths as typed (invocation properties) may differ.
    assert _sarif(".")["results"] == from_root["results"]
    assert _uris(from_root) == {"p": ("deploy/pod.yaml", "%SRCROOT%")}


def test_outside_a_work_tree_the_working_directory_is_the_root(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "plain/sub"
    _write(folder / "pod.yaml", "p")
    monkeypatch.chdir(folder)
    assert source_root(None) == folder.resolve()
    run = _sarif(".")
    assert _uris(run) == {"p": ("pod.yaml", "%SRCROOT%")}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == folder.resolve().as_uri() + "/"
