from __future__ import annotations

import pytest

from kaudit.snapshot.yamlparse import DocumentError, RawDocument, parse_document, split_documents


def docs(text: str) -> list[tuple[int, object]]:
    out = []
    for raw in split_documents(text):
        parsed = parse_document(raw)
        if parsed is not None:
            out.append((parsed.line, parsed.data))
    return out


def test_split_keeps_line_numbers_of_each_document() -> None:
    text = "a: 1\n---\n# note\nb: 2\n--- {c: 3}\n...\n---\nd: 4\n"
    assert docs(text) == [(1, {"a": 1}), (4, {"b": 2}), (5, {"c": 3}), (8, {"d": 4})]


def test_dashes_inside_a_value_are_not_a_marker() -> None:
    text = "a: |\n  ---\n  x\nb: ---x\n"
    assert docs(text) == [(1, {"a": "---\nx\n", "b": "---x"})]


def test_timestamps_stay_strings_like_kubectl_reads_them() -> None:
    assert docs("t: 2024-02-21T15:00:00Z\nd: 2024-02-21\n") == [
        (1, {"t": "2024-02-21T15:00:00Z", "d": "2024-02-21"})]


def test_bare_equals_is_a_string() -> None:
    assert docs("ops:\n- =\n- '!='\n") == [(1, {"ops": ["=", "!="]})]


def test_yaml_11_booleans_as_kubectl_reads_them() -> None:
    assert docs("a: yes\nb: off\nc: 'yes'\n") == [(1, {"a": True, "b": False, "c": "yes"})]


def test_error_names_the_line_of_the_problem() -> None:
    raw = RawDocument("\napiVersion: v1\nmetadata:\n  name: x\n   bad: y\n", first_line=10)
    with pytest.raises(DocumentError) as err:
        parse_document(raw)
    assert err.value.line == 14
    assert "mapping values are not allowed" in err.value.message


def test_item_lines_of_a_list_document() -> None:
    raw = next(split_documents("kind: List\nitems:\n- a: 1\n- b: 2\n"))
    parsed = parse_document(raw)
    assert parsed is not None and parsed.item_lines == [3, 4]


def test_directives_and_comment_only_documents_are_skipped() -> None:
    assert docs("%YAML 1.1\n---\na: 1\n--- # only a comment\n") == [(3, {"a": 1})]
