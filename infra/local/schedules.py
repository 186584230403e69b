"""Schedules: EventBridge `rate(...)`, 6-field `cron(...)` and Scheduler `at(...)` expressions,
the scheduled-event payload, and a thread that fires schedules when they are due.

Cron follows the EventBridge dialect: `cron(minutes hours day-of-month month day-of-week year)`,
day-of-week 1-7 = SUN-SAT, one of the two day fields must be `?`, with `L`, `W`, `LW`, `#` and
names (JAN-DEC, SUN-SAT). Rules fire in UTC; ScheduleV2 may name a time zone.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from .logs import get_logger

log = get_logger("schedule")

_MONTHS = {
    name: i
    for i, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1
    )
}
_DAYS = {name: i for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)}
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$", re.IGNORECASE)
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class Schedule(Protocol):
    expression: str

    def next_after(self, after: datetime) -> datetime | None: ...


# --------------------------------------------------------------------------------------------
# rate / at
# --------------------------------------------------------------------------------------------


@dataclass
class RateSchedule:
    expression: str
    period: timedelta
    anchor: datetime = field(default_factory=lambda: datetime.now(UTC))

    def next_after(self, after: datetime) -> datetime:
        """The first anchor + k * period strictly after `after` (k >= 1)."""
        periods = max(1, int((after - self.anchor) / self.period) + 1)
        candidate = self.anchor + periods * self.period
        while candidate <= after:
            candidate += self.period
        return candidate


@dataclass
class AtSchedule:
    expression: str
    when: datetime

    def next_after(self, after: datetime) -> datetime | None:
        return self.when if self.when > after else None


# --------------------------------------------------------------------------------------------
# cron
# --------------------------------------------------------------------------------------------


def _number(token: str, names: dict[str, int] | None) -> int:
    token = token.upper()
    if names and token in names:
        return names[token]
    return int(token)


def _parse_set(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    values: set[int] = set()
    for part in text.split(","):
        step, has_step = 1, "/" in part
        if has_step:
            part, step_text = part.split("/", 1)
            step = int(step_text)
            if step < 1:
                raise ValueError(f"bad step in {text!r}")
        if part in ("*", "?"):
            start, end = low, high
        elif "-" in part:
            first, last = part.split("-", 1)
            start, end = _number(first, names), _number(last, names)
        else:
            start = _number(part, names)
            end = high if has_step else start  # "5/15" means from 5 every 15
        if not (low <= start <= high and low <= end <= high):
            raise ValueError(f"{part!r} is outside {low}-{high}")
        span = (
            list(range(start, end + 1))
            if start <= end
            else list(range(start, high + 1)) + list(range(low, end + 1))
        )
        values.update(span[::step])
    return values


def _last_day(year: int, month: int) -> int:
    next_month = date(year + month // 12, month % 12 + 1, 1)
    return (next_month - timedelta(days=1)).day


def _aws_weekday(day: date) -> int:
    return (day.weekday() + 1) % 7 + 1  # Python Monday=0 -> AWS 2; Sunday=6 -> AWS 1


def _nearest_weekday(year: int, month: int, target: int) -> int:
    last = _last_day(year, month)
    target = min(target, last)
    weekday = date(year, month, target).weekday()
    if weekday == 5:  # Saturday -> Friday, unless that leaves the month
        return target - 1 if target > 1 else target + 2
    if weekday == 6:  # Sunday -> Monday, unless that leaves the month
        return target + 1 if target < last else target - 2
    return target


class CronSchedule:
    def __init__(self, expression: str, timezone: str | None = None) -> None:
        self.expression = expression
        self.timezone = ZoneInfo(timezone) if timezone else UTC
        inner = expression.strip()
        if not (inner.lower().startswith("cron(") and inner.endswith(")")):
            raise ValueError(f"not a cron expression: {expression!r}")
        fields = inner[5:-1].split()
        if len(fields) != 6:
            raise ValueError(
                f"cron needs 6 fields (minutes hours day-of-month month day-of-week year): {expression!r}"
            )
        minutes, hours, self._dom, months, self._dow, years = (f.upper() for f in fields)
        if (self._dom == "?") == (self._dow == "?"):
            raise ValueError(f"exactly one of day-of-month and day-of-week must be '?': {expression!r}")
        self.minutes = sorted(_parse_set(minutes, 0, 59))
        self.hours = sorted(_parse_set(hours, 0, 23))
        self.months = _parse_set(months, 1, 12, _MONTHS)
        self.years = _parse_set(years, 1970, 2199)
        self._dom_values = self._parse_day_of_month(self._dom)
        self._dow_rule = self._parse_day_of_week(self._dow)

    # -- day fields ---------------------------------------------------------------------------

    @staticmethod
    def _parse_day_of_month(text: str) -> Callable[[date], bool]:
        if text == "?":
            return lambda day: True
        if text == "L":
            return lambda day: day.day == _last_day(day.year, day.month)
        if text == "LW":

            def last_weekday(day: date) -> bool:
                last = _last_day(day.year, day.month)
                return day.day == _nearest_weekday(day.year, day.month, last) and day.weekday() < 5

            return last_weekday
        if text.endswith("W"):
            target = int(text[:-1])
            return lambda day: day.day == _nearest_weekday(day.year, day.month, target)
        values = _parse_set(text, 1, 31)
        return lambda day: day.day in values

    @staticmethod
    def _parse_day_of_week(text: str) -> Callable[[date], bool]:
        if text == "?":
            return lambda day: True
        if text == "L":
            return lambda day: _aws_weekday(day) == 7
        if "#" in text:
            weekday_text, nth_text = text.split("#", 1)
            weekday, nth = _number(weekday_text, _DAYS), int(nth_text)
            return lambda day: _aws_weekday(day) == weekday and (day.day - 1) // 7 + 1 == nth
        if text.endswith("L"):
            weekday = _number(text[:-1], _DAYS)
            return lambda day: _aws_weekday(day) == weekday and day.day + 7 > _last_day(day.year, day.month)
        values = _parse_set(text, 1, 7, _DAYS)
        return lambda day: _aws_weekday(day) in values

    def _day_matches(self, day: date) -> bool:
        return (
            day.year in self.years
            and day.month in self.months
            and self._dom_values(day)
            and self._dow_rule(day)
        )

    # -- next fire time -------------------------------------------------------------------------

    def next_after(self, after: datetime) -> datetime | None:
        local = after.astimezone(self.timezone).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = local.date()
        for _ in range(366 * 30):  # up to thirty years ahead: "never" for a local runtime
            if day.year > max(self.years):
                return None
            if self._day_matches(day):
                for hour in self.hours:
                    for minute in self.minutes:
                        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.timezone)
                        if candidate >= local:
                            return candidate.astimezone(UTC)
            day += timedelta(days=1)
        return None


def parse_schedule(expression: str, timezone: str | None = None, *, now: datetime | None = None) -> Schedule:
    text = expression.strip()
    rate = _RATE.match(text)
    if rate:
        amount, unit = int(rate.group(1)), rate.group(2).lower().rstrip("s")
        if amount < 1:
            raise ValueError(f"rate must be positive: {expression!r}")
        return RateSchedule(text, timedelta(seconds=amount * _UNIT_SECONDS[unit]), now or datetime.now(UTC))
    if text.lower().startswith("cron("):
        return CronSchedule(text, timezone)
    if text.lower().startswith("at(") and text.endswith(")"):
        when = datetime.fromisoformat(text[3:-1]).replace(tzinfo=ZoneInfo(timezone) if timezone else UTC)
        return AtSchedule(text, when.astimezone(UTC))
    raise ValueError(f"not a schedule expression: {expression!r}")


# --------------------------------------------------------------------------------------------
# Payload
# --------------------------------------------------------------------------------------------


def scheduled_event(
    resource_arn: str,
    *,
    region: str,
    account_id: str,
    source: str = "aws.events",
    when: datetime | None = None,
) -> dict[str, Any]:
    """The event EventBridge delivers for a schedule (time to the second, `Z`, like AWS)."""
    when = (when or datetime.now(UTC)).astimezone(UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": source,
        "account": account_id,
        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [resource_arn],
        "detail": {},
    }


# --------------------------------------------------------------------------------------------
# The scheduler thread
# --------------------------------------------------------------------------------------------


@dataclass
class ScheduledJob:
    owner: str  # the function or rule logical id: what `fire_now` and the local route take
    name: str  # "<Function>.<Event>" or "<Rule>"
    schedule: Schedule
    fire: Callable[[], str]  # delivers one scheduled event; returns a description of the target
    enabled: bool = True
    next_fire: datetime | None = None

    def describe(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "name": self.name,
            "expression": self.schedule.expression,
            "enabled": self.enabled,
            "next_fire": self.next_fire.isoformat() if self.next_fire else None,
        }


class Scheduler:
    def __init__(self, jobs: list[ScheduledJob], *, automatic: bool = True) -> None:
        self.jobs = jobs
        self.automatic = automatic
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        now = datetime.now(UTC)
        for job in self.jobs:
            job.next_fire = job.schedule.next_after(now) if job.enabled and self.automatic else None
        if self.automatic and any(job.next_fire for job in self.jobs):
            self._thread = threading.Thread(target=self._run, name="skailan-local-scheduler", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def fire_now(self, owner: str, name: str | None = None) -> list[dict[str, Any]]:
        """Fire the schedules of a function or rule now, whatever their state; KeyError if none."""
        jobs = [
            job
            for job in self.jobs
            if job.owner == owner and (name is None or job.name.endswith(f".{name}") or job.name == name)
        ]
        if not jobs:
            raise KeyError(owner)
        return [self._fire(job) for job in jobs]

    def _fire(self, job: ScheduledJob) -> dict[str, Any]:
        try:
            target = job.fire()
        except Exception as error:
            log.error("%s failed: %s: %s", job.name, type(error).__name__, error)
            return {"schedule": job.name, "ok": False, "error": f"{type(error).__name__}: {error}"}
        log.info("%s (%s) -> %s", job.name, job.schedule.expression, target)
        return {"schedule": job.name, "ok": True, "target": target}

    def _run(self) -> None:
        while not self._stop.is_set():
            due = [job.next_fire for job in self.jobs if job.next_fire]
            if not due:
                return
            wait = (min(due) - datetime.now(UTC)).total_seconds()
            if wait > 0 and self._stop.wait(min(wait, 60)):
                return
            now = datetime.now(UTC)
            for job in self.jobs:
                if job.next_fire and job.next_fire <= now:
                    self._fire(job)
                    job.next_fire = job.schedule.next_after(now)
