"""What ``kubectl apply`` of a manifest would change in a live object, field by field.

An apply is a merge: fields the manifest leaves out keep their live value, unless the previous
apply set them (kubectl's ``last-applied-configuration`` annotation), in which case the apply
removes them. Live objects carry defaults the API server filled in (a container's
``terminationMessagePath``, a claim template's ``status``), so "the manifest's value is
contained in the live value" is what "unchanged" means here, with quantities compared by
value (``0.5`` is ``500m``) and the server's defaults for omitted fields taken into account.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from kaudit.rules import KubeObject

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MAX_LAST_APPLIED = 1 << 20


class _Missing:
    """A field that is not there (distinct from an explicit ``null``)."""

    def __repr__(self) -> str:
        return "<absent>"


MISSING: Any = _Missing()

_QUANTITY = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|"
                       r"[eE][+-]?\d+)?$")
_SUFFIX = {"": 1, "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"),
           "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
           "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_QUANTITY_PARENTS = frozenset({"requests", "limits", "capacity", "hard", "overhead"})
_QUANTITY_KEYS = frozenset({"sizeLimit", "storage"})


def quantity(value: Any) -> Decimal | None:
    """A Kubernetes resource quantity as a number (``1Gi`` -> 1073741824), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    if not isinstance(value, str):
        return None
    match = _QUANTITY.match(value.strip())
    if match is None:
        return None
    number, suffix = match.group(1), match.group(2) or ""
    try:
        if suffix[:1] in ("e", "E"):
            return Decimal(number + suffix)
        return Decimal(number) * Decimal(_SUFFIX[suffix])
    except (InvalidOperation, KeyError):
        return None


def escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def unescape(piece: str) -> str:
    return piece.replace("~1", "/").replace("~0", "~")


def resolve(doc: Any, pointer: str) -> Any:
    """The value at a JSON pointer, or ``MISSING``."""
    node = doc
    for piece in pointer.split("/")[1:] if pointer else []:
        key = unescape(piece)
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return MISSING
    return node


def dotted(pointer: str) -> str:
    """``/spec/volumeClaimTemplates/0/spec`` -> ``spec.volumeClaimTemplates[0].spec``."""
    out = ""
    for piece in pointer.split("/")[1:]:
        key = unescape(piece)
        if key.isdigit():
            out += f"[{key}]"
        elif "." in key or "/" in key:
            out += f"[{key!r}]"
        else:
            out += ("." if out else "") + key
    return out or "(the object)"


def last_applied(obj: KubeObject) -> Any:
    """The manifest of the previous ``kubectl apply``, when the live object records it."""
    text = obj.annotations.get(LAST_APPLIED)
    if not isinstance(text, str) or not text.startswith("{") or len(text) > MAX_LAST_APPLIED:
        return MISSING
    try:
        return json.loads(text)
    except ValueError:
        return MISSING


@dataclass(frozen=True, slots=True)
class Change:
    pointer: str
    live: Any
    manifest: Any
    how: str = "changes"
    """``changes``, ``removes`` (the previous apply set it, this one leaves it out), ``adds``
    or ``shrinks`` (see ``shrinks``)."""


@dataclass(frozen=True)
class Policy:
    """How one kind's fields may change (from ``immutable_fields.yaml``)."""

    exempt: tuple[str, ...] = ()
    increase_only: frozenset[str] = frozenset()
    """Exempt quantities that still may not shrink (checked by ``shrinks``)."""
    settable_once: frozenset[str] = frozenset()
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def is_exempt(self, pointer: str) -> bool:
        return any(pointer == e or pointer.startswith(e + "/") for e in self.exempt)


def _wants_quantity(pointer: str) -> bool:
    parts = pointer.rsplit("/", 2)
    return len(parts) == 3 and (parts[1] in _QUANTITY_PARENTS or parts[2] in _QUANTITY_KEYS)


def same(manifest: Any, live: Any, pointer: str) -> bool:
    if manifest == live and type(manifest) is type(live):
        return True
    if isinstance(manifest, bool) or isinstance(live, bool):
        return manifest is live
    if isinstance(manifest, int | float) and isinstance(live, int | float):
        return manifest == live
    if _wants_quantity(pointer):
        a, b = quantity(manifest), quantity(live)
        return a is not None and a == b
    # int-or-string fields (targetPort, maxSurge) read back as written; a number written as a
    # string and the number are one value to a reader of the diff
    if isinstance(manifest, int | str) and isinstance(live, int | str):
        return str(manifest) == str(live)
    return False


def diff(manifest: Any, live: Any, previous: Any, pointer: str,
         policy: Policy) -> Iterator[Change]:
    """The changes applying ``manifest`` makes to ``live`` under ``pointer``; ``previous`` is
    the same place in the last-applied manifest (``MISSING`` when unknown)."""
    if policy.is_exempt(pointer):
        return
    if manifest is MISSING:
        if previous is not MISSING and previous is not None and live is not MISSING:
            yield Change(pointer, live, MISSING, "removes")
        return
    if manifest is None:
        return  # an explicit null: Helm renders them for "not set"; no opinion
    if live is MISSING or live is None:
        if pointer in policy.settable_once:
            return
        if pointer in policy.defaults and same(manifest, policy.defaults[pointer], pointer):
            return
        if manifest in ({}, [], ""):
            return
        yield Change(pointer, MISSING, manifest, "adds")
        return
    if isinstance(manifest, Mapping) and isinstance(live, Mapping):
        prev = previous if isinstance(previous, Mapping) else {}
        for key, value in manifest.items():
            yield from diff(value, live.get(key, MISSING), prev.get(key, MISSING),
                            f"{pointer}/{escape(str(key))}", policy)
        for key in live:
            if key not in manifest and key in prev:
                yield from diff(MISSING, live[key], prev[key], f"{pointer}/{escape(str(key))}",
                                policy)
        return
    if isinstance(manifest, list) and isinstance(live, list):
        if len(manifest) != len(live):
            yield Change(pointer, live, manifest)
            return
        prev_list = previous if isinstance(previous, list) and len(previous) == len(live) \
            else [MISSING] * len(live)
        for i, (m, lv, pv) in enumerate(zip(manifest, live, prev_list, strict=True)):
            yield from diff(m, lv, pv, f"{pointer}/{i}", policy)
        return
    if pointer in policy.settable_once and live in ("", None):
        return
    if pointer in policy.settable_once and manifest == "":
        return
    if not same(manifest, live, pointer):
        yield Change(pointer, live, manifest)


def shrinks(manifest_doc: Any, live_doc: Any, policy: Policy) -> Iterator[Change]:
    """Quantities that may grow but not shrink (a claim's storage request): a smaller
    manifest value is a change the API server refuses even though the field is mutable."""
    for pointer in sorted(policy.increase_only):
        manifest, live = resolve(manifest_doc, pointer), resolve(live_doc, pointer)
        m, lv = quantity(manifest), quantity(live)
        if m is not None and lv is not None and m < lv:
            yield Change(pointer, live, manifest, "shrinks")
