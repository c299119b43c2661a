"""Hostile files: each attack ends as a KA001 (file and line) with every other document still
audited, within the memory and CPU bounds of ``bounded`` -- never a traceback, a signal or
exit 3.

The attacks that threaten memory or time run in a bounded child process; the others run
in-process, where a crash would surface as an exception.
"""

from __future__ import annotations

import gzip
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kaudit.cli import app
from kaudit.diff import diff_snapshots
from kaudit.engine import EngineSettings, run
from kaudit.rules.registry import load_catalogue
from kaudit.snapshot import KubeObject, Snapshot
from kaudit.snapshot.files import load_paths
from kaudit.snapshot.limits import MAX_DEPTH, InputLimits
from tests.hostile.bounded import Outcome, run_kaudit, scan

HEALTHY = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: healthy, namespace: default}\n"


def billion_laughs(levels: int, width: int, word: str = "lol") -> str:
    lines = [f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: bomb}}\ndata:\n"
             f"  a0: &a0 [{', '.join([word] * width)}]"]
    for level in range(1, levels):
        lines.append(f"  a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def problems(report: dict[str, Any], file: str | None = None) -> list[dict[str, Any]]:
    found = [f for f in report["findings"] if f["code"] == "KA001"]
    return [f for f in found if file is None or f["source"]["file"].endswith(file)]


# ---- memory and time: bounded child processes -------------------------------------------

@pytest.mark.parametrize(("levels", "width"), [(9, 9), (12, 8)])
def test_alias_bombs_are_refused_at_load(tmp_path: Path, levels: int, width: int) -> None:
    """A 440-byte bomb took 78 s and 2.6 GB; a 692-byte one crashed the interpreter."""
    (tmp_path / "bomb.yaml").write_text(billion_laughs(levels, width) + "---\n" + HEALTHY)
    assert (tmp_path / "bomb.yaml").stat().st_size < 1000
    outcome = scan("bomb.yaml", cwd=tmp_path)
    outcome.assert_degraded()
    [problem] = problems(outcome.report)
    assert problem["source"] == {"file": "bomb.yaml", "line": 1}
    assert "alias bomb" in problem["message"]
    assert outcome.report["coverage"]["objects"] == 1  # the healthy document


def test_a_gzip_bomb_named_yaml_in_a_folder_stops_at_the_default_cap(tmp_path: Path) -> None:
    folder = tmp_path / "manifests"
    folder.mkdir()
    (folder / "app.yaml").write_text(HEALTHY)
    # 300 MiB of zeros in ~300 KB: one gzip member of 1 MiB, repeated (a valid gzip stream).
    member = gzip.compress(bytes(1024 * 1024), compresslevel=1, mtime=0)
    (folder / "bomb.yaml").write_bytes(member * 300)
    outcome = scan("manifests", cwd=tmp_path)
    outcome.assert_degraded()
    [problem] = problems(outcome.report)
    assert problem["source"] == {"file": "manifests/bomb.yaml"}
    assert "gzip bomb" in problem["message"] and "--max-input-bytes" in problem["message"]
    assert outcome.report["coverage"]["objects"] == 1


def test_deep_nesting_and_huge_integers_do_not_crash_rules_or_diff(tmp_path: Path) -> None:
    deep = "[" * (MAX_DEPTH + 50) + "]" * (MAX_DEPTH + 50)
    huge = "123456789012345678901234567890"
    text = (f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: deep}}\ndata: {{a: {deep}}}\n"
            f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\n"
            f"data: {{a: {huge}}}\n---\napiVersion: v1\nkind: ConfigMap\n"
            f"metadata: {{name: big}}\ndata: {{a: {huge}1}}\n---\n" + HEALTHY)
    (tmp_path / "a.yaml").write_text(text)
    # The same, as JSON (orjson reads up to 1024 levels and big integers as floats).
    (tmp_path / "b.json").write_text(
        '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "deepjson"}, '
        f'"data": {{"a": {deep}, "n": {huge}}}}}')
    outcome = scan("a.yaml", "b.json", cwd=tmp_path)
    outcome.assert_degraded()
    by_line = {(p["source"]["file"], p["source"].get("line")): p["message"]
               for p in problems(outcome.report)}
    assert by_line[("a.yaml", 1)] == f"object skipped: nested deeper than {MAX_DEPTH} levels"
    assert "beyond 64 bits" in by_line[("a.yaml", 9)]
    assert by_line[("b.json", 1)] == f"object skipped: nested deeper than {MAX_DEPTH} levels"
    # UQ001 still compares the two "big" definitions (they differ).
    assert [f["object"]["name"] for f in outcome.report["findings"] if f["code"] == "UQ001"] \
        == ["big"]
    assert outcome.report["coverage"]["objects"] == 3
    (tmp_path / "c.yaml").write_text(text.replace(huge, huge + "7"))
    diffed = run_diff(tmp_path, "a.yaml", "c.yaml")
    assert diffed.code == 1 and "Traceback" not in diffed.stderr


def run_diff(cwd: Path, before: str, after: str) -> Outcome:
    return run_kaudit("diff", before, after, "--format", "json", cwd=cwd)


# ---- in-process: outcomes that threaten no bound ----------------------------------------

def run_scan(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["scan", *args, "--format", "json",
                                      "--now", "2024-01-01T00:00:00Z"])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def test_crlf_multi_document_files_are_split(tmp_path: Path) -> None:
    text = (HEALTHY + "---\n" + HEALTHY.replace("healthy", "second") + "...\n---\n"
            + HEALTHY.replace("healthy", "third")).replace("\n", "\r\n")
    (tmp_path / "crlf.yaml").write_bytes(text.encode())
    result = load_paths([str(tmp_path / "crlf.yaml")])
    assert [o.name for o in result.objects] == ["healthy", "second", "third"]
    assert [o.source.line for o in result.objects] == [1, 5, 10]
    assert result.problems == []


def test_invalid_utf8_loses_only_its_document(tmp_path: Path) -> None:
    bad = HEALTHY.replace("healthy", "bad").encode() + b"data: {a: \"\xff\xfe\"}\n"
    data = HEALTHY.encode() + b"---\n" + bad + b"---\n" + HEALTHY.replace("healthy",
                                                                          "after").encode()
    (tmp_path / "mixed.yaml").write_bytes(data)
    result = load_paths([str(tmp_path / "mixed.yaml")])
    assert [o.name for o in result.objects] == ["healthy", "after"]
    [problem] = result.problems
    assert (problem.source.line, problem.message) == (8, "not UTF-8 text: the document is "
                                                         "skipped")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_with_a_bom_is_read(tmp_path: Path, codec: str) -> None:
    text = HEALTHY + "---\n" + HEALTHY.replace("healthy", "ünïcode")
    data = text.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    (tmp_path / "windows.yaml").write_bytes(data)
    result = load_paths([str(tmp_path / "windows.yaml")])
    assert [o.name for o in result.objects] == ["healthy", "ünïcode"]
    assert result.problems == []


def test_the_input_cap_is_a_flag(tmp_path: Path) -> None:
    many = "".join(f"---\n{HEALTHY.replace('healthy', f'cm-{i}')}" for i in range(2_000))
    (tmp_path / "many.yaml.gz").write_bytes(gzip.compress(many.encode(), mtime=0))
    size = len(many.encode())
    capped = load_paths([str(tmp_path / "many.yaml.gz")],
                        limits=InputLimits(max_input_bytes=size - 1))
    assert capped.objects == []
    [problem] = capped.problems
    assert "more than the" in problem.message and "--max-input-bytes" in problem.message
    plain = tmp_path / "many.yaml"
    plain.write_text(many)
    [problem] = load_paths([str(plain)], limits=InputLimits(max_input_bytes=1000)).problems
    assert f"holds {size:,} bytes" in problem.message
    assert len(load_paths([str(tmp_path / "many.yaml.gz")],
                          limits=InputLimits(max_input_bytes=size)).objects) == 2_000
    _, report = run_scan(str(tmp_path / "many.yaml.gz"))
    assert report["coverage"]["objects"] == 2_000
    result = CliRunner().invoke(app, ["--max-input-bytes", "1K", "scan", str(plain),
                                      "--format", "json"])
    assert result.exit_code == 2 and "input limit" in result.output


def test_non_utf8_file_names_are_read_and_printed_escaped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = b"names"
    os.mkdir(folder)
    with open(os.path.join(folder, b"caf\xe9.yaml"), "wb") as out:
        out.write(HEALTHY.encode())
    with open(os.path.join(folder, b"br\xffoken.yaml"), "wb") as out:
        out.write(b"a: [\n")
    result = CliRunner().invoke(app, ["scan", os.fsdecode(folder), "--format", "table"])
    assert result.exit_code == 1, result.output
    assert "br\\xffoken.yaml" in result.stdout
    _, report = run_scan(os.fsdecode(folder))
    assert report["coverage"]["objects"] == 1
    [problem] = problems(report)
    assert problem["source"]["file"].endswith("names/br\\xffoken.yaml")


def test_paths_over_path_max_are_named_not_crashed_on(tmp_path: Path) -> None:
    long = str(tmp_path) + ("/" + "x" * 250) * 20 + "/a.yaml"
    assert len(long) > os.pathconf("/", "PC_PATH_MAX")
    result = load_paths([long, str(write(tmp_path, "ok.yaml", HEALTHY))])
    assert [o.name for o in result.objects] == ["healthy"]
    [problem] = result.problems
    assert problem.message == "cannot read: File name too long"
    # A folder nested past PATH_MAX (made relative to each parent: no path that long exists).
    deep = tmp_path / "deep"
    deep.mkdir()
    fd = os.open(deep, os.O_RDONLY)
    for _ in range(20):
        os.mkdir("d" * 250, dir_fd=fd)
        child = os.open("d" * 250, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = child
    os.close(fd)
    write(deep, "top.yaml", HEALTHY)
    result = load_paths([str(deep)])
    assert [o.name for o in result.objects] == ["healthy"]
    [problem] = result.problems
    assert problem.message.endswith("File name too long")
    assert problem.source.file.endswith("d" * 250)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_fifos_and_devices_in_a_folder_are_skipped_with_a_notice(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    write(folder, "app.yaml", HEALTHY)
    os.mkfifo(folder / "pipe.yaml")  # opening it would block until a writer comes
    result = load_paths([str(folder), "/dev/zero"])
    assert [o.name for o in result.objects] == ["healthy"]
    assert sorted((p.source.file.rpartition("/")[2], p.message) for p in result.problems) == [
        ("pipe.yaml", "skipped: a FIFO, not a file"),
        ("zero", "skipped: a character device, not a file")]
    # Named on the command line, a pipe is read (``<(helm template …)``); with no writer it
    # is empty at once: the open never blocks.
    named = load_paths([str(folder / "pipe.yaml")])
    assert (named.files_read, named.objects, named.problems) == (1, [], [])


def test_symlinks_out_of_the_scanned_folder_are_not_followed(tmp_path: Path) -> None:
    outside = write(tmp_path, "credentials.yaml", HEALTHY.replace("healthy", "outside"))
    folder = tmp_path / "repo"
    folder.mkdir()
    write(folder, "app.yaml", HEALTHY)
    (folder / "creds.yaml").symlink_to(outside)
    (folder / "zero.yaml").symlink_to("/dev/zero")
    (folder / "etc").symlink_to("/etc")
    (folder / "alias.yaml").symlink_to(folder / "app.yaml")  # inside: read
    result = load_paths([str(folder)])
    assert sorted(o.name for o in result.objects) == ["healthy", "healthy"]
    assert sorted(p.source.file.rpartition("/")[2] for p in result.problems) == [
        "creds.yaml", "etc", "zero.yaml"]
    assert all("leads outside the scanned folder" in p.message for p in result.problems)
    followed = load_paths([str(folder)], limits=InputLimits(follow_symlinks=True))
    assert "outside" in {o.name for o in followed.objects}
    assert "skipped: a character device, not a file" in {p.message for p in followed.problems}


def test_unreadable_files_and_folders_are_named(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "m"
    (folder / "locked").mkdir(parents=True)
    write(folder, "app.yaml", HEALTHY)
    secret = write(folder, "secret.yaml", HEALTHY)
    if os.geteuid() != 0:
        secret.chmod(0)
        (folder / "locked").chmod(0)
    else:  # root reads everything: make the system say no the way it would to a user
        real_open, real_scandir = os.open, os.scandir

        def deny_open(path: Any, *args: Any, **kwargs: Any) -> int:
            if str(path).endswith("secret.yaml"):
                raise PermissionError(13, "Permission denied")
            return real_open(path, *args, **kwargs)

        def deny_scandir(path: Any) -> Any:
            if str(path).endswith("locked"):
                raise PermissionError(13, "Permission denied")
            return real_scandir(path)

        monkeypatch.setattr(os, "open", deny_open)
        monkeypatch.setattr(os, "scandir", deny_scandir)
    try:
        result = load_paths([str(folder)])
    finally:
        secret.chmod(0o644)
        (folder / "locked").chmod(0o755)
    assert [o.name for o in result.objects] == ["healthy"]
    assert sorted((p.source.file.rpartition("/")[2], p.message) for p in result.problems) == [
        ("locked", "cannot read folder: Permission denied"),
        ("secret.yaml", "cannot read: Permission denied")]


def test_recursive_aliases_and_odd_yaml_types_become_json_values(tmp_path: Path) -> None:
    text = ("a: &a [1, *a]\n---\n" + HEALTHY + "data:\n  2: two\n  true: yes-key\n"
            "  b: !!binary aGVsbG8=\n  s: !!set {x, y}\n  t: !!timestamp 2024-01-01\n")
    result = load_paths([str(write(tmp_path, "odd.yaml", text))])
    [problem] = result.problems
    assert problem.source.line == 1 and "refers to itself" in problem.message
    [obj] = result.objects
    assert obj.raw["data"] == {"2": "two", "true": "yes-key", "b": "hello",
                               "s": {"x": None, "y": None}, "t": "2024-01-01"}


def test_rules_and_diff_survive_objects_past_the_bounds_built_in_memory() -> None:
    """Loaders keep such objects out; a snapshot built by other code still must not crash
    ST005, UQ001 or diff."""
    nested: Any = "leaf"
    for _ in range(MAX_DEPTH + 100):
        nested = {"k": nested}

    def cm(n: int) -> KubeObject:
        return KubeObject({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"},
                           "data": {"x": nested, "n": n}})

    snapshot = Snapshot.build([cm(2**70), cm(2**71)])
    result = run(snapshot, load_catalogue(), EngineSettings(
        now=datetime(2024, 1, 1, tzinfo=UTC), select=("ST005", "UQ001")))
    assert result.crashed == ()
    assert [f.code for f in result.findings] == ["UQ001"]
    changed = diff_snapshots(Snapshot.build([cm(2**70)]), Snapshot.build([cm(2**71)]))
    assert [c.change for c in changed.changes] == ["changed"]
