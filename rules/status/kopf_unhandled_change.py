"""Kopf operators that stopped reacting to changes of an object."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kaudit.rules import (
    Family,
    Finding,
    KubeObject,
    Reads,
    Rule,
    RuleContext,
    Severity,
    age_seconds,
    format_duration,
    format_time,
    maybe_time,
)
from kaudit.snapshot.candidates import ANNOTATED
from kaudit_rules.status.kopf_essence import (
    DIFF_BASE,
    build_essence,
    differing_paths,
    extra_fields,
    progress_records,
    stored_essence,
)
from kaudit_rules.status.times import dig, managed_fields

POINTER = "/metadata/annotations/" + DIFF_BASE.replace("/", "~1")
_MAX_PATHS = 3


@dataclass(frozen=True)
class Mismatch:
    stored: dict[str, Any]
    paths: list[str]


def mismatch(obj: KubeObject) -> Mismatch | None:
    """The stored essence and where the object's current essence differs, or ``None``."""
    stored = stored_essence(obj.raw)
    if stored is None:
        return None
    current = build_essence(obj.raw, extra_fields(stored))
    if current == stored:
        return None
    return Mismatch(stored, differing_paths(stored, current))


def diff_base_written_at(obj: KubeObject) -> tuple[datetime | None, str]:
    """When the diff-base annotation was last written, and by which manager (``managedFields``)."""
    latest: datetime | None = None
    manager = ""
    for entry in managed_fields(obj.metadata):
        fields = dig(entry, "fieldsV1", "f:metadata", "f:annotations")
        if isinstance(fields, dict) and f"f:{DIFF_BASE}" in fields:
            when = maybe_time(entry.get("time"))
            if when is not None and (latest is None or when > latest):
                latest, manager = when, str(entry.get("manager") or "")
    return latest, manager


def later_write_by(obj: KubeObject, manager: str, after: datetime) -> datetime | None:
    """The newest write by ``manager`` after ``after`` (e.g. Kopf patching status): the
    operator is alive and touching this object, yet did not handle the change."""
    times = [maybe_time(e.get("time")) for e in managed_fields(obj.metadata)
             if manager and e.get("manager") == manager]
    return max((t for t in times if t is not None and t > after), default=None)


def last_write(obj: KubeObject) -> datetime | None:
    """The newest ``managedFields`` time: when anyone last wrote the object."""
    times = [maybe_time(e.get("time")) for e in managed_fields(obj.metadata)]
    return max((t for t in times if t is not None), default=None)


class KopfUnhandledChange(Rule):
    """Kopf's last-handled-configuration disagrees with the object and no handler is running.

    Kopf runs update handlers when an object's "essence" (spec, labels, annotations minus its
    own and kubectl's last-applied, plus the fields handlers watch, e.g. ``status.storage``)
    differs from the one it stored after the last successful handling. If they differ and no
    progress annotation shows a handler pending or retrying, Kopf never saw the change: a
    stale watch or a stuck worker (kopf#1116, where an update handler on ``status.storage``
    did not fire for a week). One snapshot cannot date the change, so this is a warning; with
    ``--previous`` showing the same mismatch and the same stored diff-base at least ``grace``
    (default 5m) earlier while the object's resourceVersion advanced, it is an error. A
    mismatch with a handler visibly retrying is info.
    Fix: check the operator's logs and restart it (a fresh watch re-lists every object and
    handles the change); if it recurs, look for watch errors, a too-low
    ``settings.watching.server_timeout``, or a handler that never returns.
    """

    code = "ST006"
    name = "kopf-unhandled-change"
    family = Family.STATUS
    severity = Severity.WARNING
    reads = Reads(whole_if_annotated=(DIFF_BASE,))

    @dataclass(frozen=True)
    class Options:
        grace: timedelta = timedelta(minutes=5)

    def check(self, ctx: RuleContext[Options]) -> Iterator[Finding]:
        for obj in ctx.snapshot.candidates(ANNOTATED):
            if DIFF_BASE not in obj.annotations or obj.deletion_timestamp is not None:
                continue
            found = mismatch(obj)
            if found is None:
                continue
            where = ", ".join(found.paths[:_MAX_PATHS])
            if len(found.paths) > _MAX_PATHS:
                where += f" and {len(found.paths) - _MAX_PATHS} more"
            evidence: dict[str, Any] = {"differs_at": found.paths}
            progress = progress_records(obj.raw)
            if progress:
                handler, record = sorted(progress.items())[0]
                yield self.finding(
                    obj, at=POINTER, severity=Severity.INFO,
                    message=f"Kopf's stored essence differs at {where}, but handler "
                            f"{handler!r} is in progress{_progress_text(record)}; not "
                            "unhandled yet",
                    evidence={**evidence, "handler": handler},
                )
                continue
            persisted = self._persisted(ctx, obj, found)
            written, manager = diff_base_written_at(obj)
            since = (f"Kopf last stored it at {format_time(written)} "
                     f"({format_duration(ctx.now - written)} ago)" if written else
                     "managedFields do not say when Kopf stored it")
            alive = later_write_by(obj, manager, written) if written else None
            running = (f"; {manager!r} has written the object since (last at "
                       f"{format_time(alive)}), so the operator runs but did not react"
                       if alive is not None else "")
            if persisted is not None:
                elapsed, before = persisted
                yield self.finding(
                    obj, at=POINTER, severity=Severity.ERROR,
                    message=f"Kopf has not handled a change at {where}: the same stored "
                            f"essence disagreed with the object {format_duration(elapsed)} "
                            "earlier too (--previous), while the object kept changing "
                            f"(resourceVersion {before.resource_version} -> "
                            f"{obj.resource_version}); {since}{running}; no handler "
                            "progress recorded",
                    evidence={**evidence, "persisted_seconds": age_seconds(elapsed)},
                )
                continue
            yield self.finding(
                obj, at=POINTER,
                message=f"Kopf's stored essence (last-handled-configuration) differs from the "
                        f"object at {where} and no handler progress is recorded, so Kopf has "
                        f"not handled this change; {since}"
                        + (", so the change is at most that old" if written else "")
                        + running
                        + " (one observation cannot date the change; scan again with "
                          "--previous)",
                evidence=evidence,
            )

    @staticmethod
    def _persisted(ctx: RuleContext[Options], obj: KubeObject,
                   found: Mismatch) -> tuple[timedelta, KubeObject] | None:
        """How long the same mismatch has persisted across observations, when it has for at
        least ``grace`` while the object changed; else ``None``."""
        before = ctx.earlier(obj)
        if before is None or ctx.previous is None:
            return None
        if ctx.previous.captured_at is not None:
            elapsed = ctx.now - ctx.previous.captured_at
        else:
            # No capture time (a plain dump): the span between the latest writes each
            # observation records is how long the object kept changing under the mismatch.
            first, last = last_write(before), last_write(obj)
            if first is None or last is None:
                return None
            elapsed = last - first
        if elapsed < ctx.options.grace:
            return None
        if before.annotations.get(DIFF_BASE) != obj.annotations.get(DIFF_BASE):
            return None  # Kopf stored a new essence in between: it is handling changes
        if before.resource_version == obj.resource_version or progress_records(before.raw):
            return None
        earlier = mismatch(before)
        if earlier is None or earlier.stored != found.stored:
            return None
        return elapsed, before


def _progress_text(record: Mapping[str, Any]) -> str:
    parts = []
    if record.get("retries"):
        parts.append(f"retries {record['retries']}")
    delayed = maybe_time(record.get("delayed"))
    if delayed is not None:
        parts.append(f"next attempt {format_time(delayed)}")
    started = maybe_time(record.get("started"))
    if started is not None:
        parts.append(f"started {format_time(started)}")
    return f" ({', '.join(parts)})" if parts else ""
