"""Secret values are replaced by digests the moment they are read.

Nothing downstream (rules, reports, saved snapshots) can leak what it never holds. Digests are
taken over the decoded bytes so that a ``data`` value and the same ``stringData`` value compare
equal, which is all the unique-field rules need.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

DIGEST_PREFIX = "sha256:"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def digest_bytes(value: bytes) -> str:
    return DIGEST_PREFIX + hashlib.sha256(value).hexdigest()


def digest_data_value(value: str) -> str:
    """Digest of a Secret ``data`` value (base64): over the decoded bytes when it decodes."""
    if value.startswith(DIGEST_PREFIX):
        return value
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = value.encode()
    return digest_bytes(raw)


def digest_string_value(value: str) -> str:
    if value.startswith(DIGEST_PREFIX):
        return value
    return digest_bytes(value.encode())


def is_secret(obj: dict[str, Any]) -> bool:
    api_version = obj.get("apiVersion")
    return obj.get("kind") == "Secret" and (api_version in ("v1", None) or api_version == "")


def redact_secret(obj: dict[str, Any]) -> dict[str, Any]:
    """Return ``obj`` with every value of ``data``/``stringData`` digested, in place.

    kubectl's last-applied annotation on a Secret embeds the values too, so it is digested as
    well. In place because the loader owns the freshly parsed dict and copying 100k of them
    would double the memory the snapshot needs.
    """
    data = obj.get("data")
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str):
                data[key] = digest_data_value(value)
            elif value is not None:
                data[key] = digest_bytes(repr(value).encode())
    string_data = obj.get("stringData")
    if isinstance(string_data, dict):
        for key, value in string_data.items():
            if value is not None:
                string_data[key] = digest_string_value(str(value))
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        annotations = meta.get("annotations")
        if isinstance(annotations, dict) and isinstance(annotations.get(LAST_APPLIED), str):
            annotations[LAST_APPLIED] = digest_string_value(annotations[LAST_APPLIED])
    return obj
