"""Objects about to hit the API server's size limits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from kaudit.rules import Family, Finding, KubeObject, Rule, RuleContext, Severity

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
    Fix: stop the growth at its source (apply with ``--server-side`` to drop
    last-applied-configuration, trim the status list, make the Kopf handler watch a smaller
    field); move bulky data into a ConfigMap or external storage.
    """

    code = "ST005"
    name = "object-size-limit"
    family = Family.STATUS
    severity = Severity.WARNING

    @dataclass(frozen=True)
    class Options:
        annotations_bytes: int = 196_608
        object_bytes: int = 1_258_291

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        for obj in ctx.objects():
            annotations = sum(len(k) + _size(v) for k, v in obj.annotations.items())
            near_annotations = annotations >= ctx.options.annotations_bytes
            total = 0
            if not near_annotations:
                total = _size(obj.raw)
                if total < ctx.options.object_bytes:
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
                total = _size(obj.raw)
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
