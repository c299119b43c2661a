"""A custom object as the API server would store it: pruned, defaulted, then validated against
its CRD's ``openAPIV3Schema``.

The API server handles a custom object in this order (apiextensions-apiserver): unknown fields
are pruned (dropped, silently, unless ``x-kubernetes-preserve-unknown-fields`` keeps them),
``null`` values of non-nullable fields are dropped, defaults are filled in, and only then is
the result validated (types, required fields, enums, bounds). ``prune`` does the first three
and records what it dropped; ``validator`` turns the structural schema into a JSON-schema
validator (``jsonschema``, draft 4, which OpenAPI v3.0 schemas follow) with the Kubernetes
extensions translated: ``nullable``, ``x-kubernetes-int-or-string`` and
``x-kubernetes-embedded-resource`` (an embedded object always has ``apiVersion``, ``kind``
and ``metadata``). Not checked: ``format`` (the API server knows formats Python does not) and
``pattern``: the API server matches patterns with RE2, in linear time, while Python's ``re``
backtracks, so a hostile CRD's pattern on a hostile object could take exponential time, and
RE2 syntax is not Python's. ``uniqueItems`` (quadratic) is refused in structural schemas
anyway. The errors collected per object are bounded (``MAX_ERRORS``).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kaudit.rules import KubeObject
from kaudit_rules.schema.apply_diff import escape
from kaudit_rules.schema.quick_valid import acceptor

if TYPE_CHECKING:  # jsonschema costs ~0.15 s to import: only when a CRD schema is checked
    from jsonschema import Draft4Validator

PRESERVE = "x-kubernetes-preserve-unknown-fields"
INT_OR_STRING = "x-kubernetes-int-or-string"
EMBEDDED = "x-kubernetes-embedded-resource"
ROOT_SKIPPED = ("apiVersion", "kind", "metadata", "status")
"""Not validated: the API server validates ``metadata`` itself, and ``status`` is written by
the controller (through the status subresource), not by the apply this rule predicts."""
EMBEDDED_KEYS = ("apiVersion", "kind", "metadata")
MAX_DEPTH = 64
MAX_ERRORS = 200
NOT_CHECKED = frozenset({"format", "pattern", "uniqueItems", "default", "example",
                         "description", "$ref", "$schema", "id"})


def version_schema(crd: KubeObject, version: str) -> Mapping[str, Any] | None:
    """The ``openAPIV3Schema`` of one version of a CRD (per version in apiextensions/v1, or
    the CRD-wide ``spec.validation`` of v1beta1); ``None`` when that version is not served or
    has no schema."""
    versions = crd.spec.get("versions")
    entry: Mapping[str, Any] | None = None
    if isinstance(versions, list):
        for v in versions:
            if isinstance(v, Mapping) and v.get("name") == version:
                entry = v
                break
        if entry is None or entry.get("served") is False:
            return None
    elif crd.spec.get("version") != version:
        return None
    holder = (entry or {}).get("schema") or crd.spec.get("validation")
    schema = holder.get("openAPIV3Schema") if isinstance(holder, Mapping) else None
    return schema if isinstance(schema, Mapping) and schema else None


@dataclass(frozen=True, slots=True)
class Pruned:
    pointer: str
    value: Any


def prunes_unknown_fields(crd: KubeObject) -> bool:
    """Whether the API server drops fields this CRD's schema does not declare: always for
    ``apiextensions.k8s.io/v1`` CRDs unless ``spec.preserveUnknownFields`` is true (CRDs
    carried over from v1beta1), never for ``v1beta1`` CRDs unless it is false (its default
    there was to keep them)."""
    flag = crd.spec.get("preserveUnknownFields")
    if isinstance(flag, bool):
        return not flag
    return crd.version != "v1beta1"


def prune(value: Any, schema: Mapping[str, Any], pointer: str = "",
          root: bool = True, depth: int = 0,
          keep_unknown: bool = False) -> tuple[Any, list[Pruned]]:
    """``(what the API server keeps, what it drops)`` for ``value`` under ``schema``;
    ``keep_unknown``: the CRD does not prune (see ``prunes_unknown_fields``)."""
    dropped: list[Pruned] = []
    kept = _prune(value, schema, pointer, root, depth, dropped, keep_unknown)
    return kept, dropped


_NEVER_MAPPINGS = frozenset({str, int, float, bool, type(None), list})
"""Types a parsed document is mostly made of, none a ``Mapping``: checking them first spares
most values the (slow, ABC) ``isinstance(value, Mapping)``."""


def _is_mapping(value: Any) -> bool:
    kind = type(value)
    return kind is dict or (kind not in _NEVER_MAPPINGS and isinstance(value, Mapping))


def _prune(value: Any, schema: Any, pointer: str, root: bool, depth: int,
           dropped: list[Pruned], keep_unknown: bool = False) -> Any:
    # Runs for every node of every custom object: pointers are only written for a value
    # that is descended into or dropped.
    if not _is_mapping(schema) or depth > MAX_DEPTH:
        return value
    if _is_mapping(value):
        props = schema.get("properties")
        props = props if _is_mapping(props) else {}
        extra = schema.get("additionalProperties")
        extra_schema = extra if _is_mapping(extra) else None
        preserve = keep_unknown or schema.get(PRESERVE) is True
        embedded = schema.get(EMBEDDED) is True
        out: dict[str, Any] = {}
        for key, item in value.items():
            if (root and key in ROOT_SKIPPED) or (embedded and key in EMBEDDED_KEYS):
                out[key] = item
                continue
            sub = props.get(key) if key in props else extra_schema
            if item is None and not (_is_mapping(sub) and sub.get("nullable")):
                continue  # a null of a non-nullable field is dropped, not an error
            if sub is not None:
                out[key] = _prune(item, sub, f"{pointer}/{escape(str(key))}", False,
                                  depth + 1, dropped, keep_unknown)
            elif preserve or extra is True:
                out[key] = item
            else:
                dropped.append(Pruned(f"{pointer}/{escape(str(key))}", item))
        for key, sub in props.items():
            if key not in out and _is_mapping(sub) and "default" in sub \
                    and not (root and key in ROOT_SKIPPED):
                out[key] = copy.deepcopy(sub["default"])
        return out
    if isinstance(value, list):
        items = schema.get("items")
        return [_prune(item, items, f"{pointer}/{i}", False, depth + 1, dropped, keep_unknown)
                for i, item in enumerate(value)]
    return value


def _translate(schema: Any, root: bool, depth: int = 0) -> Any:
    """The structural schema as plain JSON schema (draft 4)."""
    if isinstance(schema, list):
        return [_translate(s, False, depth + 1) for s in schema]
    if not isinstance(schema, Mapping) or depth > MAX_DEPTH:
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("properties", "patternProperties", "definitions") and \
                isinstance(value, Mapping):
            out[key] = {k: _translate(v, False, depth + 1) for k, v in value.items()
                        if not (root and k in ROOT_SKIPPED)}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[key] = _translate(value, False, depth + 1)
        elif key in NOT_CHECKED:
            continue
        elif key == "required" and isinstance(value, list):
            out[key] = [r for r in value if not (root and r in ROOT_SKIPPED)]
        else:
            out[key] = value
    if schema.get(INT_OR_STRING) is True:
        out.pop("type", None)
        if "anyOf" not in out and "oneOf" not in out:
            out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if schema.get("nullable") is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


def validator(schema: Mapping[str, Any]) -> Draft4Validator:
    return _draft4(_translate(schema, root=True))


def _draft4(translated: Any) -> Draft4Validator:
    from jsonschema import Draft4Validator  # here: a scan without CRD schemas never pays

    return Draft4Validator(translated)


class CompiledSchema:
    """One CRD version's schema, compiled once for all its objects: the quick check of
    ``quick_valid`` at once, ``jsonschema``'s validator (and its import, ~0.15 s) only when an
    object is not plainly valid."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self._translated = _translate(schema, root=True)
        self._accepts = acceptor(self._translated)
        self._validator: Draft4Validator | None = None

    def violations(self, document: Any) -> list[Violation]:
        """``violations(document, validator(schema))``, as a list."""
        if self._accepts(document):
            return []
        if self._validator is None:
            self._validator = _draft4(self._translated)
        return list(violations(document, self._validator))


@dataclass(frozen=True, slots=True)
class Violation:
    pointer: str
    kind: str
    """The JSON-schema keyword that failed: ``type``, ``required``, ``enum``, ``maximum``…"""
    message: str


class MalformedSchema(ValueError):
    """The schema itself is broken (a keyword of the wrong shape: ``type: {…}``, a property
    that is a list): the API server refuses such a CRD, so there is nothing to check."""


def violations(document: Any, check: Draft4Validator) -> Iterator[Violation]:
    """Validation errors of the pruned document, in document order; ``MalformedSchema`` when
    the schema cannot be applied at all."""
    try:
        found = list(itertools.islice(check.iter_errors(document), MAX_ERRORS))
    except RecursionError:
        raise
    except Exception as exc:  # jsonschema fails in many ways on a schema of the wrong shape
        raise MalformedSchema(type(exc).__name__) from None
    errors = sorted(found, key=lambda e: ([str(p) for p in e.absolute_path], str(e.validator)))
    for error in errors:
        path = [escape(str(p)) for p in error.absolute_path]
        if error.validator == "required" and isinstance(error.validator_value, list):
            missing = error.message.split("'")[1] if "'" in error.message else ""
            path.append(escape(missing))
        yield Violation("/" + "/".join(path) if path else "", str(error.validator),
                        _message(error))


def _message(error: Any) -> str:
    instance = _short(error.instance)
    keyword = error.validator
    if keyword == "type":
        return f"{instance} is not of type {_short(error.validator_value)}"
    if keyword == "enum":
        allowed = ", ".join(_short(v) for v in error.validator_value[:12])
        return f"{instance} is not one of [{allowed}]"
    if keyword == "required":
        return "required but missing"
    if keyword in ("anyOf", "oneOf") and isinstance(error.validator_value, list):
        types = sorted(str(s.get("type")) for s in error.validator_value if isinstance(s, dict))
        if types == ["integer", "string"]:
            return f"{instance} is neither an integer nor a string"
        return f"{instance} matches none of the {len(error.validator_value)} allowed shapes " \
               f"({keyword})"
    return f"{instance}: fails {keyword} {_short(error.validator_value)}"


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= limit else text[:limit - 1] + "…"
