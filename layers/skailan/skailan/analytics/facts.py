"""Pure computations of the analytics context (no I/O): conversation timing facts from a
conversation's marks, business-hours durations, exact percentiles.

A conversation's **marks** are the timing-relevant events seen so far, each `{"at", "k", ...}`:
`o` opened / re-opened by the customer (`msg`: the message that opened it), `c` a customer
message (`msg`), `h` a human reply (`agent`), `x` a bot handoff, `z` a close (`agent`, `team`,
`reason`, `rms`: the inbox's resolution time). The facts are a function of the *set* of marks,
so events arriving out of order give the same facts once all have arrived; the worker stores
the facts it counted and corrects the counters by the difference.

Definitions (docs/analytics.md):
- first response: from the first customer message of a cycle to the first human reply after
  it. A cycle starts when the customer opens or re-opens the conversation, and again at a bot
  handoff, counted from the customer message that asked for a person. Bot, system and
  integration messages are never a human response.
- resolution: from the customer message that opened / re-opened the conversation to its close.
"""

from __future__ import annotations

import math
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from skailan.platform.clock import parse_iso, zone_or_utc

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Ties at the same instant: the opening comes before its message, a close after everything.
_ORDER = {"o": 0, "x": 1, "c": 2, "h": 3, "z": 4}
MAX_MARKS = 600  # a conversation keeps this many marks; older customer / reply marks are folded


@dataclass(frozen=True)
class Fact:
    """One observation for the distributions: `metric` ended at `at`, lasted `seconds`
    (`bh_seconds` inside business hours), counted under `dims`."""

    key: str
    metric: str
    at: str
    seconds: int
    bh_seconds: int
    dims: tuple[tuple[str, str], ...]

    def as_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "at": self.at, "seconds": self.seconds, "bh": self.bh_seconds,
                "dims": dict(self.dims)}

    @staticmethod
    def from_dict(key: str, raw: Mapping[str, Any]) -> Fact:
        return Fact(key=key, metric=str(raw["metric"]), at=str(raw["at"]), seconds=int(raw["seconds"]),
                    bh_seconds=int(raw["bh"]), dims=tuple(sorted((str(k), str(v)) for k, v in dict(raw["dims"]).items())))


@dataclass(frozen=True)
class Hours:
    """A brand's attending hours: weekday → [(start, end)] local "HH:MM", holidays (local dates)."""

    time_zone: str
    spans: Mapping[str, list[tuple[str, str]]]
    holidays: frozenset[date]

    @staticmethod
    def of(time_zone: str, business_hours: Mapping[str, Any],
           holidays: Iterable[str | date] = ()) -> Hours:
        return Hours(time_zone=time_zone,
                     spans={d: [(str(s["start"]), str(s["end"])) for s in business_hours.get(d, [])] for d in DAYS},
                     holidays=frozenset(h if isinstance(h, date) else date.fromisoformat(h) for h in holidays))

    def zone(self) -> zoneinfo.ZoneInfo:
        return zone_or_utc(self.time_zone)


def local_day(at: str, time_zone: str) -> str:
    """The brand's local date of an instant: reports' days are the brand's days."""
    return parse_iso(at).astimezone(zone_or_utc(time_zone)).date().isoformat()


def _at_local(day: date, hhmm: str, zone: zoneinfo.ZoneInfo) -> datetime:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    base = datetime(day.year, day.month, day.day, tzinfo=zone)
    return (base + timedelta(hours=hours, minutes=minutes)).astimezone(UTC)


def business_seconds(start: datetime, end: datetime, hours: Hours) -> int:
    """Whole seconds of [start, end) that fall inside the brand's hours, holidays excluded."""
    if end <= start:
        return 0
    zone = hours.zone()
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    total = 0.0
    while day <= last:
        if day not in hours.holidays:
            for open_at, close_at in hours.spans.get(DAYS[day.weekday()], []):
                lo = max(start, _at_local(day, open_at, zone))
                hi = min(end, _at_local(day, close_at, zone))
                if hi > lo:
                    total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return int(total)


def _seconds(start: str, end: str) -> int:
    return max(0, int((parse_iso(end) - parse_iso(start)).total_seconds()))


def sort_marks(marks: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Marks in time order; an opening takes the time of the customer message that opened it."""
    copies: list[dict[str, Any]] = [dict(m) for m in marks]
    message_at = {m["msg"]: m["at"] for m in copies if m["k"] == "c" and m.get("msg")}
    for mark in copies:
        if mark["k"] == "o" and mark.get("msg") in message_at:
            mark["at"] = min(mark["at"], message_at[mark["msg"]], key=parse_iso)
    return sorted(copies, key=lambda m: (parse_iso(m["at"]), _ORDER.get(m["k"], 9)))


def conversation_facts(marks: Iterable[Mapping[str, Any]], *, channel: str | None, team: str | None,
                       hours: Hours) -> dict[str, Fact]:
    """Every first-response, reply and resolution fact the marks imply, keyed stably by their cycle
    (first response) or by the customer message that waited (reply)."""
    facts: dict[str, Fact] = {}
    opened_at: str | None = None
    waiting_from: str | None = None
    answered = False
    closed = False
    last_customer: str | None = None
    reply_from: str | None = None  # after the first response: the customer message still unanswered
    cycle = ""

    def dims(**extra: str | None) -> tuple[tuple[str, str], ...]:
        base = {"channel": channel, "team": team, **extra}
        return tuple(sorted((k, v) for k, v in base.items() if v))

    def add(key: str, metric: str, start: str, end: str, **extra: str | None) -> None:
        facts[key] = Fact(key=key, metric=metric, at=end, seconds=_seconds(start, end),
                          bh_seconds=business_seconds(parse_iso(start), parse_iso(end), hours), dims=dims(**extra))

    for mark in sort_marks(marks):
        kind, at = mark["k"], mark["at"]
        if kind == "o":
            opened_at, waiting_from, answered, closed, cycle, reply_from = at, None, False, False, at, None
        elif kind == "x" and not closed:
            # A bot handed the customer over: the wait for a person starts at the message that asked.
            waiting_from, answered, cycle, reply_from = last_customer or at, False, at, None
        elif kind == "c" and not closed:
            last_customer = at
            if waiting_from is None and not answered:
                waiting_from = at
            elif answered and reply_from is None:
                reply_from = at
        elif kind == "h" and not closed and waiting_from is not None and not answered:
            add(f"fr#{cycle}", "first_response", waiting_from, at, agent=mark.get("agent"))
            answered = True
        elif kind == "h" and not closed and reply_from is not None:
            add(f"rp#{reply_from}", "reply", reply_from, at, agent=mark.get("agent"))
            reply_from = None
        elif kind == "z" and not closed:
            start = opened_at
            if start is None and mark.get("rms") is not None:  # opened before analytics saw it
                start = (parse_iso(at) - timedelta(milliseconds=int(mark["rms"]))).isoformat()
            if start is not None:
                add(f"res#{at}", "resolution", start, at, agent=mark.get("agent"),
                    team=mark.get("team") or team, close_reason=mark.get("reason"))
            closed, waiting_from, reply_from = True, None, None
    return facts


def trim_marks(marks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep a long conversation's state small: the newest marks, and every opening / close."""
    if len(marks) <= MAX_MARKS:
        return marks
    ordered = sort_marks(marks)
    keep = [m for m in ordered if m["k"] in ("o", "x", "z")]
    rest = [m for m in ordered if m["k"] not in ("o", "x", "z")]
    return keep + rest[-(MAX_MARKS - len(keep)):]


def percentile(histogram: Mapping[int, int], p: float) -> int | None:
    """Nearest-rank percentile over exact values: the smallest value with at least p % of the
    observations at or below it."""
    total = sum(c for c in histogram.values() if c > 0)
    if total == 0:
        return None
    rank = max(1, math.ceil(p / 100 * total))
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        if count <= 0:
            continue
        seen += count
        if seen >= rank:
            return value
    return max(histogram)


def summary(histogram: Mapping[int, int]) -> dict[str, float | int | None]:
    count = sum(c for c in histogram.values() if c > 0)
    total = sum(v * c for v, c in histogram.items() if c > 0)
    return {"count": count, "p50": percentile(histogram, 50), "p90": percentile(histogram, 90),
            "avg": round(total / count, 1) if count else None}
