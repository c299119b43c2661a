from __future__ import annotations

from pathlib import Path

from kaudit.model import CoverageGap
from kaudit.snapshot.archive import snapshot_document, snapshot_from, write_snapshot
from kaudit.snapshot.files import load_snapshot
from kaudit.timeutil import parse_time

ITEMS = [
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "d"}},
    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "d"},
     "data": {"k": "c2VjcmV0LXZhbHVl"}},
]


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    doc = snapshot_document(
        [dict(i) for i in ITEMS], captured_at=parse_time("2024-06-01T12:00:00Z"),
        context="prod", server="https://k8s.example:6443",
        gaps=[CoverageGap("secrets", "forbidden")], read_kinds=[("", "ConfigMap"), ("", "Secret")])
    path = tmp_path / "snap.json.gz"
    write_snapshot(doc, path)
    snap = load_snapshot([str(path)])
    assert [o.name for o in snap.objects] == ["c", "s"]
    assert snap.captured_at == parse_time("2024-06-01T12:00:00Z")
    assert snap.gaps == (CoverageGap("secrets", "forbidden"),)
    assert snap.was_read("", "Secret") and not snap.was_read("apps", "Deployment")
    assert snap.sources[0].context == "prod"
    assert b"c2VjcmV0" not in path.read_bytes()


def test_saving_twice_gives_identical_bytes(tmp_path: Path) -> None:
    snap = load_snapshot([str(Path(__file__).parents[2] / "kaudit/demo/demo-snapshot.yaml")])
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    write_snapshot(snapshot_from(snap), first)
    write_snapshot(snapshot_from(snap), second)
    assert first.read_bytes() == second.read_bytes()


def test_a_snapshot_written_as_yaml_keeps_each_items_line(tmp_path: Path) -> None:
    path = tmp_path / "snap.yaml"
    path.write_text("kind: KauditSnapshot\nversion: 1\ncapturedAt: '2024-06-01T12:00:00Z'\n"
                    "items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n"
                    "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n")
    snap = load_snapshot([str(path)])
    assert [(o.name, o.source.line) for o in snap.objects] == [("a", 5), ("b", 8)]
