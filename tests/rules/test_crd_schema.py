"""SC009's model of the API server: prune, drop nulls, default, then validate."""

from __future__ import annotations

from kaudit.snapshot import KubeObject
from kaudit_rules.schema.crd_schema import prune, validator, version_schema, violations

SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["size"],
            "properties": {
                "size": {"type": "string", "default": "small"},
                "open": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                         "properties": {"strict": {"type": "object",
                                                   "properties": {"a": {"type": "string"}}}}},
                "embedded": {"type": "object", "x-kubernetes-embedded-resource": True,
                             "properties": {"spec": {"type": "object"}}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "maybe": {"type": "string", "nullable": True, "enum": ["a"]},
                "port": {"x-kubernetes-int-or-string": True},
                "name": {"type": "string", "pattern": "^(a+)+$", "uniqueItems": True},
            },
        },
    },
}


def _problems(doc: dict) -> tuple[list[str], list[str]]:
    kept, dropped = prune(doc, SCHEMA)
    return [d.pointer for d in dropped], [v.pointer for v in violations(kept,
                                                                        validator(SCHEMA))]


def test_root_fields_the_api_server_owns_are_not_checked() -> None:
    doc = {"apiVersion": "x/v1", "kind": "K", "metadata": {"anything": 1},
           "status": {"free": "form"}, "spec": {"size": "s"}}
    assert _problems(doc) == ([], [])


def test_preserve_unknown_fields_keeps_unknown_but_still_prunes_declared_children() -> None:
    doc = {"spec": {"open": {"free": 1, "strict": {"a": "x", "typo": 2}}}}
    assert _problems(doc) == (["/spec/open/strict/typo"], [])


def test_embedded_resource_has_apiversion_kind_metadata_implicitly() -> None:
    doc = {"spec": {"embedded": {"apiVersion": "v1", "kind": "Pod", "metadata": {"n": 1},
                                 "spec": {}, "bogus": 1}}}
    assert _problems(doc) == (["/spec/embedded/bogus"], [])


def test_additional_properties_schema_applies_to_every_key() -> None:
    assert _problems({"spec": {"labels": {"a": "b", "c": 1}}}) == ([], ["/spec/labels/c"])


def test_nullable_defaults_int_or_string_and_uncompilable_patterns() -> None:
    # the default fills the required field; a nullable null is valid; both int and string
    # are valid for int-or-string; a pattern is not evaluated (a backtracking matcher would
    # take exponential time on this one)
    doc = {"spec": {"maybe": None, "port": 80, "name": "a" * 40 + "!"}}
    assert _problems(doc) == ([], [])
    assert _problems({"spec": {"port": "http"}}) == ([], [])
    assert _problems({"spec": {"port": [1]}}) == ([], ["/spec/port"])
    # a null where null is not allowed is dropped (then the default fills it)
    assert _problems({"spec": {"size": None}}) == ([], [])


def test_version_schema_per_version_and_crd_wide() -> None:
    v1 = KubeObject({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                     "metadata": {"name": "ks.x"},
                     "spec": {"versions": [
                         {"name": "v1", "served": True, "schema": {"openAPIV3Schema": SCHEMA}},
                         {"name": "v0", "served": False,
                          "schema": {"openAPIV3Schema": SCHEMA}}]}})
    assert version_schema(v1, "v1") is SCHEMA
    assert version_schema(v1, "v0") is None  # not served
    assert version_schema(v1, "v2") is None
    beta = KubeObject({"apiVersion": "apiextensions.k8s.io/v1beta1",
                       "kind": "CustomResourceDefinition", "metadata": {"name": "ks.x"},
                       "spec": {"version": "v1", "validation": {"openAPIV3Schema": SCHEMA}}})
    assert version_schema(beta, "v1") is SCHEMA


def test_which_crds_prune_unknown_fields() -> None:
    from kaudit_rules.schema.crd_schema import prunes_unknown_fields

    def crd(api_version: str, **spec: object) -> KubeObject:
        return KubeObject({"apiVersion": api_version, "kind": "CustomResourceDefinition",
                           "metadata": {"name": "ks.x"}, "spec": spec})

    assert prunes_unknown_fields(crd("apiextensions.k8s.io/v1"))
    assert not prunes_unknown_fields(crd("apiextensions.k8s.io/v1", preserveUnknownFields=True))
    assert not prunes_unknown_fields(crd("apiextensions.k8s.io/v1beta1"))
    assert prunes_unknown_fields(crd("apiextensions.k8s.io/v1beta1",
                                     preserveUnknownFields=False))
    kept, dropped = prune({"spec": {"x": 1}}, {"type": "object", "properties": {
        "spec": {"type": "object"}}}, keep_unknown=True)
    assert (kept, dropped) == ({"spec": {"x": 1}}, [])
