from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from kaudit.model import Severity
from kaudit.snapshot.digest import is_digest
from kaudit.snapshot.files import NoInputError, load_paths, load_snapshot


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: default\n"


def test_folders_are_read_recursively_in_a_stable_order(tmp_path: Path) -> None:
    write(tmp_path, "b/two.yml", CM.format(name="two"))
    write(tmp_path, "a/one.yaml", CM.format(name="one"))
    write(tmp_path, "c/three.json", json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                                 "metadata": {"name": "three"}}))
    write(tmp_path, "notes.txt", "not a manifest")
    write(tmp_path, ".git/config.yaml", CM.format(name="hidden"))
    result = load_paths([str(tmp_path)])
    assert [o.name for o in result.objects] == ["one", "two", "three"]
    assert result.problems == []


def test_broken_document_is_reported_and_the_rest_still_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", CM.format(name="a") + "---\nkind: [\n---\n" +
                 CM.format(name="b"))
    result = load_paths([path])
    assert [o.name for o in result.objects] == ["a", "b"]
    assert [(p.source.file, p.source.line) for p in result.problems] == [(path, 7)]
    assert result.problems[0].severity is Severity.ERROR


def test_every_list_shape_is_expanded(tmp_path: Path) -> None:
    untyped = {"metadata": {"resourceVersion": "1"}, "items": [
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}]}
    typed = {"apiVersion": "v1", "kind": "ConfigMapList", "items": [{"metadata": {"name": "c"}}]}
    seq = [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}]
    paths = [write(tmp_path, "u.json", json.dumps(untyped)),
             write(tmp_path, "t.json", json.dumps(typed)),
             write(tmp_path, "s.json", json.dumps(seq)),
             write(tmp_path, "e.yaml", "apiVersion: v1\nkind: List\nitems: []\n")]
    result = load_paths(paths)
    assert sorted((o.kind, o.name) for o in result.objects) == [
        ("ConfigMap", "c"), ("Pod", "p"), ("Service", "s")]


def test_typeless_objects_are_one_warning_per_file(tmp_path: Path) -> None:
    items = [{"metadata": {"name": f"crd{i}"}} for i in range(3)]
    path = write(tmp_path, "crds.json", json.dumps({"items": items}))
    result = load_paths([path])
    assert result.objects == []
    assert len(result.problems) == 1
    assert result.problems[0].severity is Severity.WARNING
    assert "3 objects have metadata but no apiVersion/kind" in result.problems[0].message


def test_object_lines_point_at_each_list_item(tmp_path: Path) -> None:
    path = write(tmp_path, "l.yaml", "apiVersion: v1\nkind: List\nitems:\n"
                 "- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n"
                 "- apiVersion: v1\n  kind: Pod\n  metadata: {name: b}\n")
    result = load_paths([path])
    assert [(o.name, o.source.line) for o in result.objects] == [("a", 4), ("b", 7)]


def test_binary_and_non_utf8_input_is_an_input_error(tmp_path: Path) -> None:
    binary = tmp_path / "blob.yaml"
    binary.write_bytes(b"\x00\x01\x02")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"a: 1\nb: caf\xe9\n")
    result = load_paths([str(binary), str(latin)])
    assert [(Path(p.source.file).name, p.source.line) for p in result.problems] == [
        ("blob.yaml", 1), ("latin.yaml", 2)]


def test_stdin_is_read_with_a_display_name() -> None:
    stdin = io.BytesIO(CM.format(name="piped").encode())
    result = load_paths(["-"], stdin=stdin)
    assert [(o.name, o.source.file, o.source.line) for o in result.objects] == [
        ("piped", "<stdin>", 1)]


def test_gzipped_input_is_read(tmp_path: Path) -> None:
    path = tmp_path / "dump.yaml.gz"
    path.write_bytes(gzip.compress(CM.format(name="zipped").encode()))
    assert [o.name for o in load_paths([str(path)]).objects] == ["zipped"]


def test_nothing_readable_is_a_no_input_error(tmp_path: Path) -> None:
    with pytest.raises(NoInputError, match="no such file"):
        load_snapshot([str(tmp_path / "missing.yaml")])
    with pytest.raises(NoInputError, match="no manifest files"):
        load_snapshot([str(tmp_path)])


def test_secret_values_are_digested_as_they_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
                 "  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: "
                 "'{\"data\":{\"password\":\"aHVudGVyMg==\"}}'\n"
                 "data:\n  password: aHVudGVyMg==\nstringData:\n  token: hunter2\n")
    (secret,) = load_paths([path]).objects
    raw = json.dumps(secret.raw)
    assert "aHVudGVyMg" not in raw and "hunter2" not in raw
    # data and stringData with the same value give the same digest
    assert secret.raw["data"]["password"] == secret.raw["stringData"]["token"]
    assert is_digest(secret.raw["data"]["password"])


def test_items_of_pretty_printed_json_carry_their_lines(tmp_path: Path) -> None:
    items = [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": n}} for n in "abc"]
    dump = tmp_path / "pods.json"
    dump.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, indent=4))
    array = tmp_path / "array.json"
    array.write_text(json.dumps(items, indent=2))
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps({"items": items}))
    by_file = {path.name: [o.source.line for o in load_paths([str(path)]).objects]
               for path in (dump, array, compact)}
    # compact JSON has one line: every item is on it
    assert by_file == {"pods.json": [5, 12, 19], "array.json": [2, 9, 16],
                       "compact.json": [1, 1, 1]}
