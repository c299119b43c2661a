"""The declarative unique constraints look only at objects their filters can accept
(``kaudit_rules.unique.narrowing``): the same findings as testing every object, on objects
at the boundary of "has a value" (empty string, ``false``, ``{}``, ``null``, an empty
annotations mapping, a value only in ``stringData``, a default), and never a list kept from
another snapshot."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaudit.graph import build_graph
from kaudit.rules import KubeObject, NoOptions, RuleContext, Snapshot
from kaudit_rules.unique import narrowing
from kaudit_rules.unique.conditions import Condition
from kaudit_rules.unique.declarative import unique_constraint
from kaudit_rules.unique.fields import joint, single

NOW = datetime(2024, 6, 1, tzinfo=UTC)
HEAD = {"severity": "warning", "summary": "Twins.", "why": "Twins.\nFix: rename one.",
        "scope": "cluster"}


def _obj(name: str, kind: str = "Widget", api: str = "example.org/v1",
         labels: Any = None, annotations: Any = None, **body: Any) -> KubeObject:
    meta: dict[str, Any] = {"name": name, "namespace": "ns"}
    if labels is not None:
        meta["labels"] = labels
    if annotations is not None:
        meta["annotations"] = annotations
    return KubeObject({"apiVersion": api, "kind": kind, "metadata": meta, **body})


# Pairs of twins sharing a key, each pair at one boundary of "the filtered field has a value".
OBJECTS = [
    _obj("plain-a", annotations={"x/ext": "one"}, spec={"forProvider": {}, "id": "k"}),
    _obj("plain-b", annotations={"x/ext": "one"}, spec={"forProvider": {}, "id": "k"}),
    _obj("empty-a", annotations={"x/ext": ""}, spec={"forProvider": False, "id": "e"}),
    _obj("empty-b", annotations={"x/ext": ""}, spec={"forProvider": 0, "id": "e"}),
    _obj("null-a", annotations={"x/ext": None}, spec={"forProvider": None, "id": "n"}),
    _obj("null-b", annotations={"x/ext": None}, spec={"forProvider": None, "id": "n"}),
    _obj("bare-a", annotations={}, labels={}, spec={"id": "b"}),
    _obj("bare-b", spec={"id": "b"}),
    _obj("list-a", spec={"rules": [{"host": "h"}], "id": "l"}),
    _obj("list-b", spec={"rules": [{"host": "h"}], "id": "l"}),
    _obj("label-a", labels={"x/type": "jwt_secret"}, spec={"id": "j"}),
    _obj("label-b", labels={"x/type": "jwt"}, spec={"id": "j"}),
    _obj("label-c", labels={"x/type": "other"}, spec={"id": "j"}),
    _obj("sec-a", kind="Secret", api="v1", labels={"x/type": "jwt"}, data={"key": "d1"}),
    _obj("sec-b", kind="Secret", api="v1", labels={"x/type": "jwt"},
         stringData={"key": "d1"}),
    _obj("sec-c", kind="Secret", api="v1", stringData={"key": "d1"}),
    _obj("sec-d", kind="Secret", api="v1", data={"key": "d1"}),
    _obj("other-kind", kind="Gadget", annotations={"x/ext": "one"},
         spec={"forProvider": {}, "id": "k"}),
]

ANY_KIND = "*"
WIDGETS = [{"group": "example.org", "kind": "Widget"}, {"group": "example.org", "kind": "Gadget"}]
SECRETS = [{"group": "", "kind": "Secret"}]
ID_KEY = [{"field": "spec.id"}]

CONSTRAINTS: list[tuple[Any, list[dict[str, Any]], list[dict[str, Any]]]] = [
    (ANY_KIND, [{"annotation": "x/ext", "exists": True}], ID_KEY),
    (ANY_KIND, [{"annotation": "x/ext", "exists": True},
                {"field": "spec.forProvider", "exists": True}], ID_KEY),
    (ANY_KIND, [{"field": "spec.forProvider", "exists": True}], ID_KEY),
    (ANY_KIND, [{"annotation": "x/ext", "equals": ""}], ID_KEY),
    (ANY_KIND, [{"annotation": "x/ext", "notEquals": "one"}], ID_KEY),
    (ANY_KIND, [{"annotation": "x/ext", "exists": False}], ID_KEY),
    (ANY_KIND, [{"annotation": "x/ext", "exists": True, "default": "d"}], ID_KEY),
    (ANY_KIND, [{"label": "x/type", "in": ["jwt"]}], ID_KEY),
    (ANY_KIND, [{"field": "spec.rules[*].host", "exists": True}], ID_KEY),
    (ANY_KIND, [{"field": "spec", "exists": True}], ID_KEY),
    (WIDGETS, [{"annotation": "x/ext", "exists": True}], ID_KEY),
    (WIDGETS, [{"label": "x/type", "in": ["jwt"], "map": {"jwt_secret": "jwt"}}], ID_KEY),
    (WIDGETS, [{"label": "x/type", "in": ["jwt"]}], ID_KEY),
    (WIDGETS, [{"label": "x/type", "notIn": ["jwt"]}], ID_KEY),
    (SECRETS, [{"secretData": "key", "exists": True}], [{"secretData": "key"}]),
    (ANY_KIND, [{"secretData": "key", "exists": True}], [{"secretData": "key"}]),
    (SECRETS, [{"label": "x/type", "equals": "jwt"}], [{"secretData": "key"}]),
]


def _rule(kinds: Any, where: list[dict[str, Any]], key: list[dict[str, Any]], code: str) -> Any:
    doc = {**HEAD, "kind": "UniqueConstraint", "code": code, "name": "twins", "kinds": kinds,
           "where": where, "key": key}
    return unique_constraint(doc, "test")


def _findings(rule: Any, snapshot: Snapshot) -> list[Any]:
    ctx = RuleContext(snapshot, build_graph(snapshot), NoOptions(), NOW)
    return [f.to_json() for f in rule().check(ctx)]


@pytest.mark.parametrize("index", range(len(CONSTRAINTS)))
def test_the_same_findings_as_filtering_every_object(
        index: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rule = _rule(*CONSTRAINTS[index], code=f"XX{index + 100}")
    narrowed = _findings(rule, Snapshot.build(OBJECTS))
    monkeypatch.setattr(narrowing, "candidates", lambda *args: None)
    everything = _findings(rule, Snapshot.build(OBJECTS))
    assert narrowed == everything


def test_the_boundary_values_count_as_present() -> None:
    """Guards the test above against passing vacuously: an empty string, ``false``, ``0`` and
    ``{}`` are values (only ``null`` and absence are not), so these twins are reported."""
    exists = _rule(ANY_KIND, [{"field": "spec.forProvider", "exists": True}], ID_KEY, "XX201")
    assert [f["object"]["name"] for f in _findings(exists, Snapshot.build(OBJECTS))] == [
        "empty-b", "plain-b"]
    empty = _rule(ANY_KIND, [{"annotation": "x/ext", "equals": ""}], ID_KEY, "XX202")
    assert [f["object"]["name"] for f in _findings(empty, Snapshot.build(OBJECTS))] == [
        "empty-b"]
    mapped = _rule(WIDGETS, [{"label": "x/type", "in": ["jwt"], "map": {"jwt_secret": "jwt"}}],
                   ID_KEY, "XX203")
    assert [f["object"]["name"] for f in _findings(mapped, Snapshot.build(OBJECTS))] == [
        "label-b"]


def test_only_candidates_are_filtered(monkeypatch: pytest.MonkeyPatch) -> None:
    """``kinds: "*"`` with a filter on ``spec.forProvider``: the filters run on the objects
    holding that field, not on every object of the snapshot."""
    filtered: list[str] = []
    holds = Condition.holds

    def counting(self: Condition, obj: KubeObject) -> bool:
        filtered.append(obj.name)
        return holds(self, obj)

    monkeypatch.setattr(Condition, "holds", counting)
    rule = _rule(*CONSTRAINTS[1], code="XX301")
    padding = [_obj(f"pad-{i}", annotations={"x/ext": "one"}, spec={"id": str(i)})
               for i in range(50)]
    _findings(rule, Snapshot.build([*padding, *OBJECTS]))
    assert set(filtered) == {"plain-a", "plain-b", "empty-a", "empty-b", "null-a", "null-b",
                             "other-kind"}


def test_values_read_for_one_snapshot_are_not_served_for_another() -> None:
    """The Secrets' label values are read once per snapshot and shared by the constraints
    that filter on them; a second snapshot of the same kinds gets its own."""
    rule = _rule(SECRETS, [{"label": "x/type", "equals": "jwt"}], [{"secretData": "key"}],
                 "XX401")
    first = Snapshot.build(OBJECTS)
    assert [f["object"]["name"] for f in _findings(rule, first)] == ["sec-b"]
    relabelled = [_obj(o.name, kind=o.kind, api=o.api_version,
                       labels={"x/type": "jwt"}, **{k: v for k, v in o.raw.items()
                                                     if k in ("data", "stringData")})
                  for o in OBJECTS if o.kind == "Secret"]
    second = Snapshot.build(relabelled)
    assert [f["object"]["name"] for f in _findings(rule, second)] == ["sec-d"]
    assert [f["object"]["name"] for f in _findings(rule, first)] == ["sec-b"]


_NODES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(0, 2), st.sampled_from(["", "a", "b"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["a", "b", "c.d", "x/y"]), inner,
                                            max_size=3)),
    max_leaves=12)
_STEPS = st.lists(st.one_of(st.sampled_from(["a", "b", "c.d", "x/y"]), st.integers(-1, 2)),
                  min_size=1, max_size=3).map(tuple)


@settings(max_examples=300, deadline=None)
@given(node=_NODES, paths=st.lists(_STEPS, min_size=1, max_size=3),
       defaults=st.lists(st.one_of(st.none(), st.just("dflt")), min_size=3, max_size=3))
def test_plain_keys_read_as_joint_reads_them(node: Any, paths: list[tuple[Any, ...]],
                                             defaults: list[Any]) -> None:
    """Keys without ``[*]`` are read by ``single``: the same values and pointers as
    ``joint``, with defaults standing in where a value is missing or null."""
    wanted = defaults[:len(paths)]
    assert list(single(node, paths, wanted)) == list(joint(node, paths, wanted))
