"""A fast yes for custom objects their schema plainly accepts, before ``jsonschema`` is asked.

SC009 validates every custom object of every CRD in the inputs. ``jsonschema`` pays a
Python-level validator object, a descent and an error generator per keyword per node: on the
100k-object benchmark (9k custom objects under the simplest schema) that was most of the rule.
Almost every object is valid, so a much cheaper question comes first: *is this document
certainly valid?* ``acceptor`` compiles the (translated, draft 4) schema once into a tree of
nodes that answers it for the keywords whose meaning is plain -- ``type``, ``properties``,
``required``, ``additionalProperties``, ``items``, string ``enum``, ``minimum``/``maximum``,
``minLength``/``maxLength``, ``minItems``/``maxItems`` -- exactly as ``jsonschema``'s draft 4
validator reads them. Anything else it is not sure about (another draft 4 keyword, a keyword
value of an unexpected shape that would make ``jsonschema`` raise, a non-string enum, a
schema nested deeper than ``MAX_DEPTH``) answers "not sure", and the caller validates with
``jsonschema`` as before, which then produces every message. So "yes" only ever replaces an
empty list of errors, and the findings are the same; ``tests/rules/test_quick_valid.py``
compares the two on generated schemas and documents.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any

DRAFT4_KEYWORDS = frozenset({
    "$ref", "additionalItems", "additionalProperties", "allOf", "anyOf", "dependencies",
    "enum", "format", "items", "maxItems", "maxLength", "maxProperties", "maximum",
    "minItems", "minLength", "minProperties", "minimum", "multipleOf", "not", "oneOf",
    "pattern", "patternProperties", "properties", "required", "type", "uniqueItems"})
"""The keywords ``jsonschema.Draft4Validator`` acts on (``VALIDATORS``); it ignores others."""
SUPPORTED = frozenset({"type", "properties", "required", "additionalProperties", "items",
                       "enum", "minimum", "maximum", "minLength", "maxLength", "minItems",
                       "maxItems"})
MAX_DEPTH = 32
"""Deeper schemas are left to ``jsonschema`` (and its own ``RecursionError`` handling)."""


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Number) and not isinstance(x, bool)


TYPES: dict[str, Callable[[Any], bool]] = {
    # jsonschema's draft 4 type checker: a bool is neither an integer nor a number, and 1.0
    # is not an integer (draft 6 changed that).
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "integer": lambda x: isinstance(x, int) and not isinstance(x, bool),
    "null": lambda x: x is None,
    "number": _is_number,
    "object": lambda x: isinstance(x, dict),
    "string": lambda x: isinstance(x, str),
}


def _bound(value: Any) -> bool:
    """A number ``jsonschema`` compares with (not a bool, not a string that would raise)."""
    return type(value) in (int, float)


class _Node:
    """One schema, compiled: ``None`` fields are keywords the schema does not use."""

    __slots__ = ("additional", "enum", "exclusive_max", "exclusive_min", "items", "max_items",
                 "max_length", "maximum", "min_items", "min_length", "minimum", "properties",
                 "required", "types")

    def __init__(self) -> None:
        self.types: tuple[Callable[[Any], bool], ...] | None = None
        self.properties: dict[Any, _Node | None] = {}
        self.required: tuple[Any, ...] = ()
        self.additional: _Node | bool | None = True
        """``True``: any extra key is fine; ``False``: none is; a node: each is checked
        against it; ``None``: not sure."""
        self.items: _Node | bool | None = True
        self.enum: frozenset[str] | None = None
        self.minimum: float | None = None
        self.maximum: float | None = None
        self.exclusive_min = False
        self.exclusive_max = False
        self.min_length: float | None = None
        self.max_length: float | None = None
        self.min_items: float | None = None
        self.max_items: float | None = None


def _compile(schema: Any, depth: int) -> _Node | None:
    """The node for ``schema``; ``None`` where it is not sure of any document."""
    if depth > MAX_DEPTH or not isinstance(schema, dict):
        return None
    if any(key in DRAFT4_KEYWORDS and key not in SUPPORTED for key in schema):
        return None
    node = _Node()
    if "type" in schema:
        kinds = schema["type"]
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not isinstance(kinds, list) or not kinds or \
                not all(isinstance(k, str) and k in TYPES for k in kinds):
            return None
        node.types = tuple(TYPES[k] for k in kinds)
    if "properties" in schema:
        props = schema["properties"]
        if not isinstance(props, dict):
            return None
        node.properties = {key: _compile(sub, depth + 1) for key, sub in props.items()}
    if "required" in schema:
        required = schema["required"]
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            return None  # (an unhashable entry makes jsonschema raise)
        node.required = tuple(required)
    if "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        if isinstance(extra, bool):
            node.additional = extra
        elif isinstance(extra, dict):
            node.additional = _compile(extra, depth + 1)
        else:
            return None
    if "items" in schema:
        items = schema["items"]
        if not isinstance(items, dict):
            return None
        node.items = _compile(items, depth + 1)
    if "enum" in schema:
        allowed = schema["enum"]
        if not isinstance(allowed, list):
            return None
        node.enum = frozenset(e for e in allowed if isinstance(e, str))
    for key in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"):
        if key in schema and not _bound(schema[key]):
            return None
    node.minimum = schema.get("minimum")
    node.maximum = schema.get("maximum")
    node.exclusive_min = bool(schema.get("exclusiveMinimum", False))
    node.exclusive_max = bool(schema.get("exclusiveMaximum", False))
    node.min_length = schema.get("minLength")
    node.max_length = schema.get("maxLength")
    node.min_items = schema.get("minItems")
    node.max_items = schema.get("maxItems")
    return node


def _valid(node: _Node | None, x: Any) -> bool:
    if node is None:
        return False
    if node.types is not None and not any(is_type(x) for is_type in node.types):
        return False
    if node.enum is not None and not (isinstance(x, str) and x in node.enum):
        return False  # not sure: jsonschema compares other values its own way
    if isinstance(x, dict):
        for key in node.required:
            if key not in x:
                return False
        properties = node.properties
        for key, value in x.items():
            if key in properties:
                if not _valid(properties[key], value):
                    return False
            elif node.additional is not True and (
                    node.additional is False or not _valid(node.additional, value)):
                return False
    elif isinstance(x, list):
        if node.items is not True:
            for value in x:
                if not _valid(node.items, value):
                    return False
        if node.min_items is not None and len(x) < node.min_items:
            return False
        if node.max_items is not None and len(x) > node.max_items:
            return False
    elif isinstance(x, str):
        if node.min_length is not None and len(x) < node.min_length:
            return False
        if node.max_length is not None and len(x) > node.max_length:
            return False
    elif _is_number(x):
        if node.minimum is not None and \
                (x <= node.minimum if node.exclusive_min else x < node.minimum):
            return False
        if node.maximum is not None and \
                (x >= node.maximum if node.exclusive_max else x > node.maximum):
            return False
    return True


def acceptor(schema: Mapping[str, Any]) -> Callable[[Any], bool]:
    """``accepts(document)``: ``True`` only when ``Draft4Validator(schema)`` finds no error in
    ``document`` (and does not raise); ``False`` when it may find one."""
    root = _compile(schema, 0)
    return lambda document: _valid(root, document)
