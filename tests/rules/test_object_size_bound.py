"""ST005 predicts client-side apply's annotations exactly only for manifests whose cheap bound
(``last_applied_bound``) reaches the threshold; the bound must never be below the exact size.

Go's encoding/json turns each ``<``, ``>`` and ``&`` into six bytes and U+2028/U+2029 into six
bytes from three, kubectl adds ``annotations: {}`` where there were none, and the copy drops
an earlier last-applied annotation: the generated manifests below are full of all of these,
of non-ASCII text, escaped quotes and control characters, large and fractional numbers, and
annotations that are missing, empty or not a mapping. Each must be bounded from above, and
the rule must flag each one at a threshold equal to its exact predicted size (where a bound
that cut a single byte too low would skip it) and not one byte above.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from kaudit.graph import build_graph
from kaudit.rules import RuleContext
from kaudit.snapshot import KubeObject, Snapshot
from kaudit_rules.status.object_size_limit import (
    LAST_APPLIED,
    ObjectSizeLimit,
    _size,
    last_applied_bound,
    last_applied_size_bound,
    predicted_last_applied,
    whole_from_bytes,
)

NOW = datetime(2024, 6, 1, tzinfo=UTC)
TEXT = st.text(alphabet=st.sampled_from(
    ["a", "<", ">", "&", "\u2028", "\u2029", "é", "€", "😀", '"', "\\", "\n", "\x01", "/",
     " "]), max_size=40)
LEAVES = st.one_of(TEXT, st.integers(-(2**63), 2**64 - 1), st.booleans(), st.none(),
                   st.floats(allow_nan=False, allow_infinity=False))
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)), max_leaves=20)
ANNOTATIONS = st.one_of(
    st.dictionaries(st.one_of(TEXT, st.just(LAST_APPLIED)), TEXT, max_size=4),
    st.just({}), st.just(0), st.just("x"), st.none(), st.just([]))


@st.composite
def manifests(draw: st.DrawFn) -> dict[str, Any]:
    raw: dict[str, Any] = {"apiVersion": "example.org/v1", "kind": "Widget"}
    shape = draw(st.sampled_from(["annotated", "no-annotations", "no-metadata", "odd-metadata"]))
    if shape == "annotated":
        raw["metadata"] = {"name": draw(TEXT), "annotations": draw(ANNOTATIONS)}
    elif shape == "no-annotations":
        raw["metadata"] = draw(st.sampled_from([{}, {"name": "w"}]))
    elif shape == "odd-metadata":
        raw["metadata"] = draw(st.sampled_from(["m", 0, None, []]))
    raw["spec"] = draw(st.dictionaries(TEXT, VALUES, max_size=5))
    return raw


def _annotations(obj: KubeObject) -> int:
    return sum(len(k) + _size(v) for k, v in obj.annotations.items())


def _exact(obj: KubeObject) -> int:
    others = sum(len(k) + _size(v) for k, v in obj.annotations.items() if k != LAST_APPLIED)
    return others + predicted_last_applied(obj)


@settings(max_examples=500, deadline=None)
@given(manifests())
def test_bound_is_never_below_the_exact_prediction(raw: dict[str, Any]) -> None:
    obj = KubeObject(raw)
    text = orjson.dumps(raw)
    exact = _exact(obj)
    assert last_applied_bound(text, _annotations(obj)) >= exact
    assert last_applied_size_bound(len(text), _annotations(obj)) >= exact
    # Objects shorter than ``whole_from_bytes`` may be cut at load: none can reach a threshold.
    for threshold in (exact, exact + 1, 196_608):
        if len(text) < whole_from_bytes(threshold):
            assert last_applied_size_bound(len(text), _annotations(obj)) < threshold


def _flagged(obj: KubeObject, threshold: int) -> bool:
    # As loaded (the size measured) and as built by hand (measured by the rule): both flag it.
    measured = KubeObject(obj.raw, None, len(orjson.dumps(obj.raw)))
    flagged = _flagged_as(obj, threshold)
    assert _flagged_as(measured, threshold) == flagged
    return flagged


def _flagged_as(obj: KubeObject, threshold: int) -> bool:
    snapshot = Snapshot.build([obj])
    options = ObjectSizeLimit.Options(annotations_bytes=threshold, object_bytes=10**12)
    ctx = RuleContext(snapshot, build_graph(snapshot), options, NOW)
    return any(f.pointer.endswith("last-applied-configuration")
               for f in ObjectSizeLimit().check(ctx))


@settings(max_examples=150, deadline=None)
@given(manifests())
def test_flagged_exactly_from_its_predicted_size(raw: dict[str, Any]) -> None:
    obj = KubeObject(raw)
    exact = _exact(obj)
    assert _flagged(obj, exact)
    assert not _flagged(obj, exact + 1)


def test_html_escaping_alone_takes_a_small_manifest_over_the_default() -> None:
    """40 KB of ``<`` is 240 KB once Go escapes it: flagged at the default 196,608 bytes,
    although the manifest is far smaller than half of it (once a shortcut skipped those)."""
    raw = {"apiVersion": "example.org/v1", "kind": "Widget", "metadata": {"name": "w"},
           "spec": {"template": "<" * 40_000}}
    obj = KubeObject(raw)
    assert len(orjson.dumps(raw)) < ObjectSizeLimit.Options().annotations_bytes // 2
    assert _exact(obj) > ObjectSizeLimit.Options().annotations_bytes
    assert _flagged(obj, ObjectSizeLimit.Options().annotations_bytes)


def test_near_the_default_threshold_every_byte_counts() -> None:
    """Manifests padded to end one byte below, at and above the default threshold, through
    each source of growth: plain text, escaped characters, separators, annotations."""
    threshold = ObjectSizeLimit.Options().annotations_bytes
    for filler, annotated in (("a", False), ("<", False), ("&\u2028", False), ("é", True)):
        base: dict[str, Any] = {"apiVersion": "example.org/v1", "kind": "Widget",
                                "metadata": {"name": "w"}, "spec": {"pad": ""}}
        if annotated:
            base["metadata"]["annotations"] = {"note": filler * 20_000}
        unit = _exact(KubeObject({**base, "spec": {"pad": filler}})) - _exact(KubeObject(base))
        count = (threshold - _exact(KubeObject(base))) // unit
        for extra in range(-2, 3):
            raw = {**base, "spec": {"pad": filler * (count + extra)}}
            obj = KubeObject(raw)
            assert _flagged(obj, threshold) == (_exact(obj) >= threshold), (filler, extra)
