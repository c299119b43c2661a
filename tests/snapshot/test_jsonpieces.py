"""Item-by-item JSON parsing gives exactly what ``orjson.loads`` of the whole file gives."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from kaudit.snapshot import jsonpieces
from kaudit.snapshot.jsonpieces import loads_in_pieces


@pytest.fixture(autouse=True)
def split_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonpieces, "MIN_BYTES", 0)


ITEMS = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}"},
          "data": {"k": "é\u2028\"q\"", "n": i, "f": 1.5e300, "z": None, "b": True}}
         for i in range(50)]


@pytest.mark.parametrize("doc", [
    {"kind": "List", "apiVersion": "v1", "metadata": {}, "items": ITEMS},
    {"kind": "KauditSnapshot", "version": 1, "items": ITEMS, "coverage": {"gaps": []}},
    ITEMS,
    {"kind": "List", "items": []},
    [],
])
def test_same_objects_as_a_whole_file_parse(doc: object) -> None:
    for data in (orjson.dumps(doc), orjson.dumps(doc, option=orjson.OPT_INDENT_2),
                 b"  \n" + orjson.dumps(doc) + b"\n"):
        parsed = loads_in_pieces(data)
        assert parsed == orjson.loads(data)
        assert orjson.dumps(parsed) == orjson.dumps(orjson.loads(data))  # order and types


@pytest.mark.parametrize("data", [
    b'{"kind": "ConfigMap", "metadata": {"name": "x"}}',  # no items: whole-file parse
    b'{"items": {"not": "a list"}}',
    b'{"items": [1, 2',                                     # broken: the whole parse decides
    b'"just a string"',
])
def test_other_shapes_are_left_to_the_whole_file_parse(data: bytes) -> None:
    assert loads_in_pieces(data) is None


@pytest.mark.parametrize("data", [
    b'{"items": [{"n": "\xff"}]}',        # bad UTF-8 inside an item: orjson's own error
    b'{"items": [{"n": "\\ud800"}]}',    # a lone surrogate: msgspec refuses, whole parse
    b'{"items": [{"n": NaN}]}',
])
def test_what_orjson_rejects_is_rejected(data: bytes) -> None:
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(data)
    try:
        parsed = loads_in_pieces(data)
    except orjson.JSONDecodeError:
        return
    assert parsed is None  # left to the whole-file parse, which rejects it


def test_small_files_are_parsed_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonpieces, "MIN_BYTES", 1 << 20)
    assert loads_in_pieces(orjson.dumps({"items": ITEMS})) is None


def test_the_loader_reads_a_dump_the_same_either_way(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from kaudit.snapshot.files import load_snapshot

    path = tmp_path / "dump.json"
    path.write_bytes(orjson.dumps({"kind": "List", "apiVersion": "v1", "items": ITEMS},
                                  option=orjson.OPT_INDENT_2))
    pieces = load_snapshot([str(path)])
    monkeypatch.setattr(jsonpieces, "MIN_BYTES", 1 << 40)
    whole = load_snapshot([str(path)])
    assert [(o.raw, o.source) for o in pieces.objects] == [(o.raw, o.source)
                                                          for o in whole.objects]
