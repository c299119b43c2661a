"""Objects about to hit the API server's size limits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from kaudit.rules import (
    Family,
    Finding,
    KubeObject,
    Reads,
    Rule,
    RuleContext,
    Severity,
    is_manifest,
)

ANNOTATIONS_LIMIT = 262_144
"""``TotalAnnotationSizeLimitB``: the sum of key and value lengths of all annotations."""
OBJECT_LIMIT = 1_572_864
"""etcd's default request limit (1.5 MiB): larger objects cannot be written at all."""


def _size(value: Any) -> int:
    if isinstance(value, str):
        return len(value.encode(errors="surrogatepass"))
    try:
        return len(orjson.dumps(value))
    except TypeError:  # nothing orjson can write (the loaders bound depth and integers)
        return len(repr(value).encode(errors="surrogatepass"))


def _whole_size(obj: KubeObject) -> int:
    """The object's compact JSON length: measured when it was loaded (before a lean
    projection cut its body), else now."""
    return obj.json_size if obj.json_size is not None else _size(obj.raw)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _contributors(obj: KubeObject) -> dict[str, int]:
    """Sizes of the parts that usually make an object big, by JSON pointer."""
    parts: dict[str, int] = {}
    for key, value in obj.annotations.items():
        parts[f"/metadata/annotations/{_escape(key)}"] = len(key) + _size(value)
    managed = obj.metadata.get("managedFields")
    if managed:
        parts["/metadata/managedFields"] = _size(managed)
    for top in ("spec", "status", "data", "binaryData"):
        section = obj.raw.get(top)
        if isinstance(section, Mapping):
            for key, value in section.items():
                parts[f"/{top}/{_escape(str(key))}"] = _size(value)
    return parts


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_LAST_APPLIED_POINTER = f"/metadata/annotations/{LAST_APPLIED.replace('/', '~1')}"
ARGO_SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
_NO_LAST_APPLIED = frozenset({"serversideapply=true", "replace=true"})
"""Argo CD sync options under which it applies server-side or replaces: no last-applied copy."""


def _applied_without_last_applied(obj: KubeObject) -> bool:
    """The manifest asks Argo CD to apply it server-side (or to replace it), per resource:
    the client-side prediction does not hold for it."""
    options = obj.annotations.get(ARGO_SYNC_OPTIONS)
    if not isinstance(options, str):
        return False
    return any(o.strip().lower() in _NO_LAST_APPLIED for o in options.split(","))
# Go's encoding/json (what kubectl encodes with) escapes these: "<", ">" and "&" (one byte
# each) and U+2028/U+2029 (three bytes each in UTF-8) become six-byte \uXXXX sequences.
_GROWTH: tuple[tuple[bytes, int], ...] = (
    (b"<", 5), (b">", 5), (b"&", 5), ("\u2028".encode(), 3), ("\u2029".encode(), 3))
_NO_ANNOTATIONS_GROWTH = len(b',"annotations":{}')
"""The most the copy's ``metadata`` can grow by: kubectl always writes ``annotations``, as
``{}`` where there were none (or where they were not a mapping: ``0`` is one byte shorter)."""


def _escapes(text: bytes) -> int:
    """The bytes Go's HTML escaping adds to ``text``."""
    return sum(text.count(char) * growth for char, growth in _GROWTH)


def last_applied_bound(text: bytes, annotations: int) -> int:
    """An upper bound of the annotations client-side apply leaves (what ``_client_side_apply``
    computes exactly), from the object's compact JSON ``text`` (as ``orjson.dumps`` writes it)
    and the size of all its annotations, without writing the copy.

    The copy is the same object with sorted keys (the same bytes in another order), without
    the last-applied annotation (never longer) and with ``annotations`` written even when
    absent or not a mapping (at most ``_NO_ANNOTATIONS_GROWTH`` bytes longer); it holds no
    ``<``, ``>``, ``&``, U+2028 or U+2029 that ``text`` does not, so it escapes to at most
    ``_escapes(text)`` more bytes. The annotations kept beside it are a part of
    ``annotations``. Numbers and non-ASCII text are written by the same encoder both times.
    ``tests/rules/test_object_size_bound.py`` checks the bound against the exact size.
    """
    return (annotations + len(LAST_APPLIED) + len(text) + _NO_ANNOTATIONS_GROWTH
            + _escapes(text) + 1)


_WORST_ESCAPE = 5
"""The most Go's escaping adds per byte of JSON (``<`` -> ``\\u003c``)."""


def last_applied_size_bound(size: int, annotations: int) -> int:
    """``last_applied_bound`` for an object known only by its compact JSON length ``size``
    (``KubeObject.json_size``): as if every byte were escaped. Never below it."""
    return (annotations + len(LAST_APPLIED) + size + _NO_ANNOTATIONS_GROWTH
            + _WORST_ESCAPE * size + 1)


def whole_from_bytes(annotations_bytes: int) -> int:
    """A JSON length below which ``last_applied_size_bound`` stays under ``annotations_bytes``
    (the annotations are part of the JSON, so at most ``size`` bytes): an object this long or
    longer may need the exact prediction, so it is kept whole."""
    fixed = len(LAST_APPLIED) + _NO_ANNOTATIONS_GROWTH + 1
    return max(0, (annotations_bytes - fixed) // (2 + _WORST_ESCAPE))


def predicted_last_applied(obj: KubeObject) -> int:
    """The bytes client-side ``kubectl apply`` adds to the annotations: the key, and the
    object itself (without that annotation) as compact JSON -- sorted keys, Go's HTML
    escaping, and the encoder's trailing newline (k8s.io/kubectl apply's
    ``GetModifiedConfiguration``)."""
    raw = obj.raw
    meta = raw.get("metadata")
    if isinstance(meta, dict):
        # kubectl deletes its own key and sets the rest back, an empty map included: the
        # copy always carries "annotations" (``{}`` when there were none).
        annotations = {k: v for k, v in obj.annotations.items() if k != LAST_APPLIED}
        raw = {**raw, "metadata": {**meta, "annotations": annotations}}
    try:
        text = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # see ``_size``
        text = repr(raw).encode(errors="surrogatepass")
    return len(LAST_APPLIED) + len(text) + _escapes(text) + 1


def _kib(size: int) -> str:
    return f"{size / 1024:.0f} KiB"


def _biggest(parts: Mapping[str, int], prefix: str = "") -> tuple[str, int]:
    chosen = {k: v for k, v in parts.items() if k.startswith(prefix)}
    pointer = max(sorted(chosen), key=lambda k: chosen[k])
    return pointer, chosen[pointer]


class ObjectSizeLimit(Rule):
    """Annotations near the 256 KiB total cap, or an object near the 1.5 MiB request limit.

    The API server rejects any write that takes the annotations past 262,144 bytes (keys plus
    values) or the object past etcd's 1.5 MiB request size: the controller that owns the object
    can then no longer update it at all -- not its status, not its finalizers, so deletion
    hangs too. The usual culprits grow with every change: Kopf's
    ``last-handled-configuration`` (which copies every watched field), kubectl's
    ``last-applied-configuration`` (a copy of the whole object) and long status lists. The
    finding names the biggest contributor. Thresholds: ``annotations-bytes`` (default
    196,608, 75% of the cap) and ``object-bytes`` (default 1,258,291, 80% of the limit);
    over the hard limit it is an error. Secret values are digested by kaudit, so a Secret's
    measured size is a lower bound.

    A manifest (an object without the ``uid``/``resourceVersion`` the API server sets) is
    also measured as client-side ``kubectl apply`` would write it: apply copies the whole
    object, as compact JSON, into ``kubectl.kubernetes.io/last-applied-configuration``, so a
    large CRD fails to apply with ``metadata.annotations: Too long`` although it is valid.
    That prediction is a warning even past the cap: server-side apply, ``kubectl create``
    and Helm keep no such copy and apply the same manifest fine; a manifest whose
    ``argocd.argoproj.io/sync-options`` say ``ServerSideApply=true`` or ``Replace=true`` is
    not predicted at all.
    Fix: stop the growth at its source (apply with ``--server-side`` to drop
    last-applied-configuration, trim the status list, make the Kopf handler watch a smaller
    field); move bulky data into a ConfigMap or external storage.
    """

    code = "ST005"
    name = "object-size-limit"
    family = Family.STATUS
    severity = Severity.WARNING

    @classmethod
    def declared_reads(cls, options: Options) -> Reads:
        """Only an object this big can reach a threshold; it is read whole, to name its
        biggest part or to predict its last-applied copy exactly (``whole_from_bytes``).
        Every other object's size is known from loading (``json_size``)."""
        return Reads(whole_at_bytes=min(options.object_bytes,
                                        whole_from_bytes(options.annotations_bytes)))

    @dataclass(frozen=True)
    class Options:
        annotations_bytes: int = 196_608
        object_bytes: int = 1_258_291

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        options = ctx.options
        for obj in ctx.objects():
            # Plain lookups: this loop runs for every object of the snapshot; the size of
            # each was measured when it was loaded (``_whole_size``).
            meta = obj.metadata
            found = meta.get("annotations")
            annotations = sum(len(k) + _size(v) for k, v in found.items()) \
                if found and isinstance(found, dict) else 0
            if not meta.get("uid") and is_manifest(obj) and \
                    not _applied_without_last_applied(obj):
                yield from self._client_side_apply(ctx, obj, annotations)
            near_annotations = annotations >= options.annotations_bytes
            total = 0
            if not near_annotations:
                total = _whole_size(obj)
                if total < options.object_bytes:
                    continue
            parts = _contributors(obj)
            if near_annotations:
                pointer, size = _biggest(parts, "/metadata/annotations/")
                over = annotations >= ANNOTATIONS_LIMIT
                yield self.finding(
                    obj, at=pointer,
                    severity=Severity.ERROR if over else None,
                    message=f"annotations total {annotations:,} bytes, "
                            f"{annotations * 100 / ANNOTATIONS_LIMIT:.1f}% of the "
                            f"{ANNOTATIONS_LIMIT:,}-byte cap; the biggest is {pointer} "
                            f"({size:,} bytes). "
                            + ("Every write to this object is rejected" if over else
                               "Once over the cap every write to this object is rejected"),
                    evidence={"annotations_bytes": annotations, "biggest": pointer},
                )
                total = _whole_size(obj)
            if total >= ctx.options.object_bytes and parts:
                pointer, size = _biggest(parts)
                over = total >= OBJECT_LIMIT
                yield self.finding(
                    obj, at=pointer,
                    severity=Severity.ERROR if over else None,
                    message=f"object is {_kib(total)}, {total * 100 / OBJECT_LIMIT:.1f}% of the "
                            f"1.5 MiB request limit; the biggest part is {pointer} "
                            f"({_kib(size)}). "
                            + ("It can no longer be updated" if over else
                               "Past the limit it can no longer be updated"),
                    evidence={"object_bytes": total, "biggest": pointer},
                )

    def _client_side_apply(self, ctx: RuleContext[Options], obj: KubeObject,
                           annotations: int) -> Iterator[Finding]:
        """A manifest is about to be applied: predict the annotations client-side ``kubectl
        apply`` would write. Cheap first: only an object whose bound reaches the threshold is
        measured exactly -- from its size measured at load (every byte escaped at worst),
        then from its compact JSON (escapes counted; it is whole: ``declared_reads``)."""
        threshold = ctx.options.annotations_bytes
        size = obj.json_size
        if size is not None and last_applied_size_bound(size, annotations) < threshold:
            return
        try:
            text: bytes | None = orjson.dumps(obj.raw)
        except TypeError:  # see ``_size``
            text = None
        if text is not None and last_applied_bound(text, annotations) < threshold:
            return
        others = sum(len(k) + _size(v) for k, v in obj.annotations.items() if k != LAST_APPLIED)
        added = predicted_last_applied(obj)
        total = others + added
        if total < ctx.options.annotations_bytes:
            return
        over = total > ANNOTATIONS_LIMIT
        verdict = ("fails with \"metadata.annotations: Too long: must have at most 262144 "
                   "bytes\"" if over else f"leaves {ANNOTATIONS_LIMIT - total:,} bytes before "
                   "it fails with \"metadata.annotations: Too long\"")
        yield self.finding(
            obj, at=_LAST_APPLIED_POINTER,
            message=f"client-side kubectl apply stores the whole object in "
                    f"{LAST_APPLIED} ({added:,} bytes with its key), taking the annotations to "
                    f"{total:,} bytes "
                    f"({total * 100 / ANNOTATIONS_LIMIT:.1f}% of the {ANNOTATIONS_LIMIT:,}-byte "
                    f"cap): the apply {verdict}. Apply it with kubectl apply --server-side "
                    "(or kubectl create/replace; Argo CD: ServerSideApply=true), which keeps no "
                    "such copy",
            evidence={"predicted_annotations_bytes": total, "last_applied_bytes": added},
        )
