"""Time in one place: always timezone-aware UTC, ISO-8601 on the wire.

The local application clock: in stage `local` only, `advance(seconds)` moves every `utcnow()` of
the process forward (`POST /_local/clock`), so scenarios with known timings (reports, timers)
can be played without waiting. The offset is a module global: the runtime runs functions in
threads of one process, and each of them reads the same value.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_offset_lock = threading.Lock()
_offset = timedelta(0)


class ClockNotAdjustable(RuntimeError):
    """The application clock only moves in stage `local`."""


def utcnow() -> datetime:
    return datetime.now(UTC) + _offset


def offset_seconds() -> float:
    return _offset.total_seconds()


def advance(seconds: float) -> datetime:
    """Move the application clock forward (local stage only); returns the new now."""
    from skailan.platform.settings import get_settings

    global _offset
    if get_settings().stage != "local":
        raise ClockNotAdjustable("the application clock only moves in stage local")
    if seconds < 0:
        raise ValueError("the clock only moves forward")
    with _offset_lock:
        _offset = _offset + timedelta(seconds=seconds)
    return utcnow()


def reset() -> None:
    """Back to the machine's time (tests)."""
    global _offset
    with _offset_lock:
        _offset = timedelta(0)


def iso(dt: datetime | None = None) -> str:
    """UTC ISO-8601 with milliseconds and a `Z`, which sorts lexicographically."""
    dt = (dt or utcnow()).astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def zone_or_utc(name: str | None) -> ZoneInfo:
    """A brand's time zone; UTC when it is missing or not a zone this runtime knows."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def epoch_ms(dt: datetime | None = None) -> int:
    return int((dt or utcnow()).timestamp() * 1000)
