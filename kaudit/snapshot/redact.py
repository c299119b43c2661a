"""Secret values are replaced by keyed digests the moment they are read.

Nothing downstream (rules, reports, saved snapshots) can leak what it never holds. Digests are
taken over the decoded bytes so that a ``data`` value and the same ``stringData`` value compare
equal, which is all the unique-field rules need (see ``digest`` for the key).

Values hide in more places than ``data``: every tool that records "what I last applied"
copies the object into an annotation (kubectl's last-applied-configuration, Kopf's
last-handled-configuration, kapp's original, Argo CD, Helm 2…), ``managedFields`` can carry
list values as keys, and a misspelt ``stringdata:`` carries them under an unknown field. So a
Secret keeps in clear only what is known to hold no value (``KEPT_*`` below); everything else
is digested.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from kaudit.snapshot.digest import current, is_digest

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

KEPT_FIELDS = frozenset({"apiVersion", "kind", "metadata", "type", "immutable"})
"""Top-level fields of a Secret that hold no value; ``data``/``stringData`` are digested per
key, any other field whole."""

KEPT_METADATA = frozenset({
    "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
    "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
    "ownerReferences", "finalizers",
})
"""ObjectMeta fields kept in clear (rules read them); ``annotations`` and ``managedFields``
are handled below, anything else in metadata is digested."""

KEPT_MANAGED_FIELDS = frozenset({
    "manager", "operation", "apiVersion", "time", "fieldsType", "subresource"})
"""Fields of a ``managedFields`` entry kept in clear; ``fieldsV1`` (whose keys can be list
values) and anything unknown are digested."""

KEPT_ANNOTATIONS = frozenset({
    # Written by the API server / controllers, read by rules and people: names, not values.
    "kubernetes.io/service-account.name",
    "kubernetes.io/service-account.uid",
    "kubernetes.io/ingress.class",
    "meta.helm.sh/release-name",
    "meta.helm.sh/release-namespace",
    "cert-manager.io/certificate-name",
    "cert-manager.io/issuer-name",
    "cert-manager.io/issuer-kind",
    "cert-manager.io/issuer-group",
})
"""Annotations of a Secret kept in clear. Extend only with keys whose value is written by a
controller and can never be a copy of the data."""

KEPT_ANNOTATION_PREFIXES = ("ignore.kaudit.io/",)
"""kaudit's own suppressions: the value is a reason a person wrote for the report."""


def digest_bytes(value: bytes) -> str:
    return current().digest(value)


def digest_data_value(value: str) -> str:
    """Digest of a Secret ``data`` value (base64): over the decoded bytes when it decodes."""
    if is_digest(value):
        return value
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = value.encode(errors="surrogatepass")
    return digest_bytes(raw)


def digest_string_value(value: str) -> str:
    if is_digest(value):
        return value
    return digest_bytes(value.encode(errors="surrogatepass"))


def digest_any(value: Any) -> str:
    """Digest of any parsed value (a whole unknown field, a ``fieldsV1`` tree)."""
    if isinstance(value, str):
        return digest_string_value(value)
    try:
        body = orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        body = repr(value).encode(errors="surrogatepass")
    return digest_bytes(body)


def is_secret(obj: dict[str, Any]) -> bool:
    api_version = obj.get("apiVersion")
    return obj.get("kind") == "Secret" and (api_version in ("v1", None) or api_version == "")


def redact_secret(obj: dict[str, Any]) -> dict[str, Any]:
    """Return ``obj`` with every value it may carry digested, in place.

    In place because the loader owns the freshly parsed dict and copying 100k of them would
    double the memory the snapshot needs. Idempotent: digests are left as they are, so a
    saved snapshot read again keeps the digests it was written with.
    """
    for name in list(obj):
        if name in KEPT_FIELDS:
            continue
        value = obj[name]
        if name == "data" and isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, str):
                    value[key] = digest_data_value(item)
                elif item is not None:
                    value[key] = digest_any(item)
        elif name == "stringData" and isinstance(value, dict):
            for key, item in value.items():
                if item is not None:
                    value[key] = digest_any(item)
        elif value is not None and not is_digest(value):
            obj[name] = digest_any(value)
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        _redact_metadata(meta)
    elif meta is not None:
        obj["metadata"] = digest_any(meta)
    return obj


def _redact_metadata(meta: dict[str, Any]) -> None:
    for name in list(meta):
        value = meta[name]
        if name in KEPT_METADATA or value is None:
            continue
        if name == "annotations" and isinstance(value, dict):
            for key, item in value.items():
                if item is not None and not _kept_annotation(key):
                    value[key] = digest_any(item)
        elif name == "managedFields" and isinstance(value, list):
            for i, entry in enumerate(value):
                if not isinstance(entry, dict):
                    value[i] = digest_any(entry)
                    continue
                for field_name, item in entry.items():
                    if field_name not in KEPT_MANAGED_FIELDS and item is not None:
                        entry[field_name] = digest_any(item)
        elif not is_digest(value):
            meta[name] = digest_any(value)


def _kept_annotation(key: Any) -> bool:
    return isinstance(key, str) and (
        key in KEPT_ANNOTATIONS or key.startswith(KEPT_ANNOTATION_PREFIXES))
