"""RFC 3339 timestamps and human durations, without pulling in dateutil on the hot path."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_time(text: str) -> datetime:
    """Parse an RFC 3339 timestamp as Kubernetes writes it (``Z`` or an offset, optional
    fractional seconds). Naive inputs are taken as UTC."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def maybe_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_time(value)
    except ValueError:
        return None


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_duration(text: str | int | float | timedelta) -> timedelta:
    """``"15m"``, ``"1h30m"``, ``"2d"``, ``"90s"`` or a number of seconds."""
    if isinstance(text, timedelta):
        return text
    if isinstance(text, int | float):
        return timedelta(seconds=text)
    match = _DURATION.match(text.strip())
    if not text.strip() or not match:
        raise ValueError(f"not a duration: {text!r} (write e.g. 90s, 15m, 1h30m, 2d)")
    days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


class ClockTime(datetime):
    """``now`` read from the wall clock (no ``--now``, no capture time).

    Rules still decide with it (a deletion is stuck or not), but an age measured against it
    would make the same input give different output each run, so the difference between a
    ``ClockTime`` and any other time is a ``ClockAge``, which ``format_duration`` shows as
    ``CLOCK_AGE`` and ``age_seconds`` as ``None``. Rules need not know: ``ctx.now - since``
    just carries the mark.
    """

    @classmethod
    def of(cls, value: datetime) -> ClockTime:
        return cls(value.year, value.month, value.day, value.hour, value.minute, value.second,
                   value.microsecond, value.tzinfo)

    def _plain(self) -> datetime:
        return datetime(self.year, self.month, self.day, self.hour, self.minute, self.second,
                        self.microsecond, self.tzinfo)

    def __sub__(self, other: object) -> Any:
        if isinstance(other, datetime):
            other = other._plain() if isinstance(other, ClockTime) else other
            return ClockAge.of(self._plain() - other)
        result = self._plain() - other  # type: ignore[operator]
        return ClockTime.of(result) if isinstance(result, datetime) else result

    def __rsub__(self, other: object) -> Any:
        if isinstance(other, datetime):
            return ClockAge.of(other - self._plain())
        return NotImplemented

    def __add__(self, other: object) -> Any:
        result = self._plain() + other  # type: ignore[operator]
        return ClockTime.of(result) if isinstance(result, datetime) else result

    __radd__ = __add__


class ClockAge(timedelta):
    """A duration measured against the wall clock (see ``ClockTime``)."""

    @classmethod
    def of(cls, value: timedelta) -> ClockAge:
        return cls(value.days, value.seconds, value.microseconds)


CLOCK_AGE = "?"
"""How an age against the wall clock is shown: the same for every run (pass ``--now``)."""


def age_seconds(value: timedelta) -> int | None:
    """Whole seconds of ``value`` for a finding's evidence; ``None`` for an age measured
    against the wall clock, which would differ on every run."""
    return None if isinstance(value, ClockAge) else int(value.total_seconds())


def format_duration(value: timedelta) -> str:
    """Two most significant units: ``3h12m``, ``25m``, ``40s``; ``CLOCK_AGE`` for an age
    measured against the wall clock."""
    if isinstance(value, ClockAge):
        return CLOCK_AGE
    total = int(value.total_seconds())
    if total < 0:
        return "-" + format_duration(-value)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")]
    shown = [f"{n}{u}" for n, u in parts if n]
    return "".join(shown[:2]) or "0s"
