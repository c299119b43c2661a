"""The fast YAML path reads exactly what kubectl's YAML 1.1 reading (``CSafeLoader``) reads.

Every document of ``../shared/corpus`` is parsed both ways: a document the fast path accepts
must give identical objects (same types, same key order) and the same line; one it refuses
is read by the reference parser, and each reason to refuse is tested on its own below.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kaudit.snapshot import fastyaml
from kaudit.snapshot.yamlparse import (
    DocumentError,
    RawDocument,
    _parse_with_libyaml,
    parse_document,
    split_documents,
)
from tests.conftest import shared_dir

pytestmark = pytest.mark.skipif(fastyaml.yaml_rs is None, reason="yaml-rs not installed")


def same(a: Any, b: Any) -> bool:
    """Equal with equal types and key order (``True == 1`` and ``{a, b} == {b, a}`` are not
    the same document to a report)."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _read(parse: Any, doc: RawDocument) -> Any:
    try:
        parsed = parse(doc)
    except DocumentError as exc:
        return ("error", exc.line)
    return None if parsed is None else (parsed.data, parsed.line, parsed.item_lines)


def reference(doc: RawDocument) -> Any:
    """What ``CSafeLoader`` with kubectl's YAML 1.1 adjustments reads."""
    return _read(_parse_with_libyaml, doc)


def ours(doc: RawDocument) -> Any:
    """What the loader reads (the fast path where it applies)."""
    return _read(parse_document, doc)


def test_every_corpus_document_reads_as_kubectl_reads_it() -> None:
    shared = shared_dir()
    if shared is None:
        pytest.skip("../shared is absent")
    files = sorted(p for p in (shared / "corpus").rglob("*")
                   if p.is_file() and p.suffix in (".yaml", ".yml"))
    counts: Counter[str] = Counter()
    differ = []
    for path in files:
        for doc in split_documents(path.read_text(encoding="utf-8", errors="replace")):
            fast, _ = fastyaml.fast_load(doc.text)
            counts["fast" if fast else "reference"] += 1
            if not same(ours(doc), reference(doc)):
                differ.append(f"{path}:{doc.first_line}")
    print(f"\ncorpus documents: {dict(counts)}")
    assert differ == []
    # The fast path is the common one, not an unused branch.
    assert counts["fast"] > 2 * counts["reference"]


@pytest.mark.parametrize("text", [
    "enabled: yes\n",                 # YAML 1.1 boolean, a string in 1.2
    "on: push\n",                     # a boolean key
    "mode: 0755\n",                   # octal in 1.1, decimal in 1.2
    "mode: 0o17\n",
    "0755: mode as a key\n",
    "modes: {a: 0755, b: -010}\n",
    "port: 08\n",                     # not octal: a string in 1.1, 8 in 1.2
    "count: 1_000\n",
    "time: 1:30\n",                   # sexagesimal
    "flag: 0b101\n",
    "ratio: 1e3\n",                   # a string in 1.1, a float in 1.2
    "ratio: 0.5\n",                   # any float
    "a: &x {b: 1}\nc: *x\n",          # anchors and aliases (bounded by the reference path)
    "a: &x 1\nb: [*x, *x]\n",
    "a: &a [1, *a]\n",                 # an alias inside its own anchor (yaml-rs reads null)
    "a: &x !!str 5\n",                 # a tag after an anchor
    "- !!str 5\n- [!!int '6', {k: !!str 7}]\n",  # tags in sequences and flow collections
    "? !!str 1\n: v\n",                # a tagged complex key
    "!!map {a: 1}\n",                  # a tag starting the document
    'x: {"a":!!binary aGVsbG8=}\n',     # a value right after a JSON-like key's colon
    'x: {"a":0755, "b":!!set {y}}\n',
    "a:\n  !!str 5\n",                 # a tag starting its own line
    "script: |\n  echo hi",            # a block scalar ending without a line break
    "script: >\n  folded\n  text",
    "base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n",
    "value: !!str 5\n",               # tags
    "data: !!binary aGVsbG8=\n",
    "a: 1\na: 2\n",                   # duplicate keys: PyYAML keeps the last
    "? [a, b]\n: 1\n",                # a key that is not a scalar
    "1: one\ntrue: yes-key\n",        # keys the reference turns into strings
    "big: 123456789012345678901234567890\n",  # beyond 64 bits: widened by the reference
    "text: one\x85two\n",             # a line break only YAML 1.1 knows
    "kind: List\nitems:\n- kind: A\n- kind: B\n",  # item lines come from PyYAML's nodes
    "- kind: A\n- kind: B\n",
    "~\n",
    "a: [1, 2\n",                     # an error: the reference path reports it
])
def test_documents_that_could_read_differently_read_as_kubectl_reads_them(text: str) -> None:
    """Each form YAML 1.1 reads its own way: the result is the reference parser's, and where
    yaml-rs alone would read it differently, the fast path refused it."""
    doc = RawDocument(text, 5)
    assert same(ours(doc), reference(doc))
    try:
        raw = fastyaml.yaml_rs.loads(text, parse_datetime=False)
    except Exception:
        raw = "refused"
    expected = reference(doc)
    if expected is None or not same(raw, expected[0]):
        assert fastyaml.fast_load(text)[0] is False


@pytest.mark.parametrize("text", [
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  resourceVersion: '123'\n",
    "# a comment\n\nkind: Pod\nspec:\n  replicas: 3\n  enabled: true\n  tag: 'true'\n",
    "kind: X\ndata:\n  script: |\n    echo yes\n    exit 0\n",
    "kind: X\nstamp: 2024-01-02T03:04:05Z\nnothing: ~\nempty:\n",
    # ``*``, ``&`` and ``!`` inside scalars (Markdown lists, "a & b", CEL rules) are no
    # aliases, anchors or tags: the document keeps the fast path.
    "description: |\n  * one *two* & three\n  * four\nnote: a & b, c * d\n",
    "rule: self.type != 'x' && !has(self.y)\nmessage: must not be empty!\n",
    "pattern: a!b\nwords: [one, two]\nrule: has(self.a) && !has(self.b)\n",
    "rule: >-\n  has(self.a) ||\n  !has(self.b)\nmessage: a\n  !b on a line of its own\n",
    # Without a block scalar a missing final line break changes nothing.
    "kind: X\nname: a\nlist: [one, 'two']",
])
def test_plain_documents_take_the_fast_path_with_the_same_result(text: str) -> None:
    doc = RawDocument(text, 3)
    fast, _ = fastyaml.fast_load(text)
    assert fast
    assert same(ours(doc), reference(doc))


def test_bench_stream_reads_the_same_both_ways(tmp_path: Path) -> None:
    from bench.generate import write_inputs

    _, yaml_path = write_inputs(300, 1, tmp_path)
    docs = list(split_documents(yaml_path.read_text(encoding="utf-8")))
    assert all(fastyaml.fast_load(d.text)[0] for d in docs)
    assert all(same(ours(d), reference(d)) for d in docs)
