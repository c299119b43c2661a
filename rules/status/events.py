"""Reading Events the way controllers write them: time, type, reason, source component.

Messages are free text and change between versions, so nothing here looks at them.
"""

from __future__ import annotations

from datetime import datetime

from kaudit.rules import KubeObject, Reads, maybe_time

WHOLE_EVENTS = Reads({"Event": ("",), "events.k8s.io/Event": ("",)})
"""Rules reading Events through these helpers read them whole: Events are small, and their
fields differ between core/v1 and events.k8s.io/v1 (``kaudit.snapshot.reads``)."""


def event_time(event: KubeObject) -> datetime | None:
    """When the event last happened (core/v1 or events.k8s.io/v1 fields)."""
    raw = event.raw
    series = raw.get("series") if isinstance(raw.get("series"), dict) else {}
    for value in (series.get("lastObservedTime"), raw.get("lastTimestamp"),
                  raw.get("deprecatedLastTimestamp"), raw.get("eventTime"),
                  raw.get("firstTimestamp")):
        when = maybe_time(value)
        if when is not None:
            return when
    return event.creation_timestamp


def component(event: KubeObject) -> str:
    raw = event.raw
    for value in (raw.get("reportingController"), raw.get("reportingComponent"),
                  (raw.get("source") or {}).get("component") if isinstance(
                      raw.get("source"), dict) else None,
                  (raw.get("deprecatedSource") or {}).get("component") if isinstance(
                      raw.get("deprecatedSource"), dict) else None):
        if isinstance(value, str) and value:
            return value
    return ""


def event_type(event: KubeObject) -> str:
    return str(event.raw.get("type") or "")


def reason(event: KubeObject) -> str:
    return str(event.raw.get("reason") or "")
