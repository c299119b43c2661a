"""SC009's quick check says "valid" only where ``jsonschema`` finds nothing.

``quick_valid.acceptor`` lets SC009 skip ``jsonschema`` for plainly valid objects. A "yes"
where ``jsonschema`` reports a problem (or raises on a malformed schema) would hide that
problem from the report, so generated schemas -- every keyword the quick check reads, with
values of the wrong shape too, beside keywords it leaves to ``jsonschema`` -- and generated
documents (bools where integers belong, 1.0 for integers, nulls, values right at each bound)
are checked against ``jsonschema`` itself. The quick check must also say "yes" often enough
to matter: for the schemas CRDs actually have.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator

from kaudit_rules.schema.crd_schema import CompiledSchema, prune, validator, violations
from kaudit_rules.schema.quick_valid import DRAFT4_KEYWORDS, acceptor

KEYS = st.sampled_from(["a", "b", "c"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([1.0, 2.5, -0.5]),
                    st.sampled_from(["", "x", "xy", "abc"]))
DOCUMENTS = st.one_of(SCALARS, st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)), max_leaves=12))
TYPE_NAMES = st.sampled_from(["object", "array", "string", "integer", "number", "boolean",
                              "null", "any", "bogus"])
ODD = st.sampled_from([None, 5, "x", [], {}, True, ["a", 1], {"a": 1}])


def _schemas() -> st.SearchStrategy[Any]:
    def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        supported: dict[str, st.SearchStrategy[Any]] = {
            "type": st.one_of(TYPE_NAMES, st.lists(TYPE_NAMES, max_size=3), ODD),
            "properties": st.one_of(st.dictionaries(KEYS, inner, max_size=3), ODD),
            "required": st.one_of(st.lists(KEYS, max_size=2), ODD),
            "additionalProperties": st.one_of(st.booleans(), inner, ODD),
            "items": st.one_of(inner, st.lists(inner, max_size=2), ODD),
            "enum": st.one_of(st.lists(SCALARS, max_size=3), ODD),
            "minimum": st.one_of(st.integers(-2, 2), st.just(0.5), ODD),
            "maximum": st.one_of(st.integers(-2, 2), st.just(0.5), ODD),
            "exclusiveMinimum": st.one_of(st.booleans(), ODD),
            "exclusiveMaximum": st.one_of(st.booleans(), ODD),
            "minLength": st.one_of(st.integers(0, 3), ODD),
            "maxLength": st.one_of(st.integers(0, 3), ODD),
            "minItems": st.one_of(st.integers(0, 3), ODD),
            "maxItems": st.one_of(st.integers(0, 3), ODD),
            # Not draft 4 keywords: jsonschema ignores them, so may the quick check.
            "x-kubernetes-preserve-unknown-fields": st.booleans(),
            "nullable": st.booleans(),
            "description": st.just("d"),
        }
        # Left to jsonschema: the quick check must say "not sure" wherever they are.
        others: dict[str, st.SearchStrategy[Any]] = {
            "pattern": st.just("^x"),
            "anyOf": st.lists(inner, min_size=1, max_size=2),
            "minProperties": st.integers(0, 2),
            "patternProperties": st.dictionaries(st.just("^a"), inner, max_size=1),
            "$ref": st.just("#/definitions/x"),
        }

        @st.composite
        def schema(draw: st.DrawFn) -> dict[str, Any]:
            keys = draw(st.lists(st.sampled_from(sorted(supported)), max_size=4, unique=True))
            if draw(st.integers(0, 9)) == 0:
                keys.append(draw(st.sampled_from(sorted(others))))
            table = {**supported, **others}
            return {key: draw(table[key]) for key in keys}
        return schema()
    return st.recursive(st.fixed_dictionaries({}, optional={"type": TYPE_NAMES}), extend,
                        max_leaves=8)


def _jsonschema_finds_nothing(schema: Any, document: Any) -> bool:
    try:
        return not any(True for _ in Draft4Validator(schema).iter_errors(document))
    except Exception:  # a malformed schema: SC009 reports nothing for the object
        return False


@settings(max_examples=2000, deadline=None)
@given(_schemas(), DOCUMENTS)
def test_valid_only_where_jsonschema_finds_nothing(schema: Any, document: Any) -> None:
    if acceptor(schema)(document):
        assert _jsonschema_finds_nothing(schema, document)


def test_the_keywords_left_to_jsonschema_are_draft_4s() -> None:
    assert frozenset(Draft4Validator.VALIDATORS) == DRAFT4_KEYWORDS


CRD_SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["size"],
            "properties": {
                "size": {"type": "string", "enum": ["s", "m"], "maxLength": 1},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 5},
                "ratio": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "ports": {"type": "array", "maxItems": 2,
                          "items": {"type": "object", "required": ["port"],
                                    "properties": {"port": {"type": "integer"}}}},
                "maybe": {"type": "string", "nullable": True},
                "port": {"x-kubernetes-int-or-string": True},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            },
        },
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
    },
}
VALID = {"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "n"},
         "spec": {"size": "s", "replicas": 5, "ratio": 0.1, "labels": {"a": "b"},
                  "ports": [{"port": 80}], "maybe": None, "free": {"any": [1, {"x": None}]}}}
INVALID = [
    {"size": "l"}, {"size": "s", "replicas": 6}, {"size": "s", "replicas": 1.0},
    {"size": "s", "replicas": True}, {"size": "s", "ratio": 0}, {"size": "s", "labels": {"a": 1}},
    {"size": "s", "ports": [{"port": 1}, {"port": 2}, {"port": 3}]}, {"size": "s", "ports": [{}]},
    {"replicas": 1},
]


def test_sc009_gives_the_same_problems_with_and_without_the_quick_check() -> None:
    compiled = CompiledSchema(CRD_SCHEMA)
    check = validator(CRD_SCHEMA)
    for spec in [VALID["spec"], *INVALID]:
        kept, _ = prune({**VALID, "spec": spec}, CRD_SCHEMA)
        assert compiled.violations(kept) == list(violations(kept, check)), spec
    kept, _ = prune(VALID, CRD_SCHEMA)
    assert acceptor(check.schema)(kept)  # a real CRD's valid object takes the quick way
    for spec in INVALID:
        kept, _ = prune({**VALID, "spec": spec}, CRD_SCHEMA)
        assert compiled.violations(kept), spec


def test_bounds_agree_with_jsonschema_at_every_edge() -> None:
    """Every bound keyword, at, below and above its bound, exclusive or not (too rare for
    the generated cases to reach reliably)."""
    values: list[Any] = [-2, -1, 0, 0.5, 1, 1.0, 2, True, False, None, "x", [], {}]
    values += ["", "ab", "abc", [1], [1, 2], [1, 2, 3]]
    accepted = 0
    for keyword, bounds in (("minimum", [-1, 0, 0.5, 1]), ("maximum", [-1, 0, 0.5, 1]),
                            ("minLength", [0, 1, 2]), ("maxLength", [0, 1, 2]),
                            ("minItems", [0, 1, 2]), ("maxItems", [0, 1, 2])):
        for bound in bounds:
            for flag in ({}, {"exclusiveMinimum": True}, {"exclusiveMaximum": True},
                         {"exclusiveMinimum": False, "exclusiveMaximum": 0}):
                schema = {keyword: bound, **flag}
                for value in values:
                    if acceptor(schema)(value):
                        accepted += 1
                        assert _jsonschema_finds_nothing(schema, value), (schema, value)
                    else:
                        assert not _jsonschema_finds_nothing(schema, value), (schema, value)
    assert accepted
