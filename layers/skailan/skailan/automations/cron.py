"""Five-field cron expressions (minute hour day-of-month month day-of-week) in a brand's time zone.

`*`, lists (`1,15`), ranges (`9-17`), steps (`*/15`, `9-17/2`); day of week 0-7 (0 and 7: Sunday).
As in cron, when both day fields are restricted a day matches either. `next_after` walks days, then
the hours and minutes of a matching day, so finding the next time costs at most a few hundred
checks, never a minute-by-minute walk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

_LIMITS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_NAMES = ("minute", "hour", "day", "month", "weekday")


class CronError(ValueError):
    pass


@dataclass(frozen=True)
class Cron:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    any_day: bool
    any_weekday: bool

    def day_matches(self, day: datetime) -> bool:
        if day.month not in self.months:
            return False
        weekday = (day.weekday() + 1) % 7  # Python: Monday 0; cron: Sunday 0
        in_days, in_weekdays = day.day in self.days, weekday in self.weekdays
        if self.any_day and self.any_weekday:
            return True
        if self.any_day:
            return in_weekdays
        if self.any_weekday:
            return in_days
        return in_days or in_weekdays


def _field(text: str, low: int, high: int, name: str) -> tuple[set[int], bool]:
    values: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if body == "*":
                start, end = low, high
            elif "-" in body:
                a, b = body.split("-", 1)
                start, end = int(a), int(b)
            else:
                start = end = int(body)
        except ValueError as err:
            raise CronError(f"{name}: '{part}'") from err
        if step < 1 or start < low or end > high or start > end:
            raise CronError(f"{name}: '{part}' ({low}-{high})")
        values.update(range(start, end + 1, step))
    return values, text == "*"


def parse(expression: str) -> Cron:
    parts = expression.split()
    if len(parts) != 5:
        raise CronError("five fields: minute hour day month weekday")
    parsed = [_field(p, lo, hi, n) for p, (lo, hi), n in zip(parts, _LIMITS, _NAMES, strict=True)]
    weekdays = {d % 7 for d in parsed[4][0]}
    return Cron(minutes=tuple(sorted(parsed[0][0])), hours=tuple(sorted(parsed[1][0])),
                days=frozenset(parsed[2][0]), months=frozenset(parsed[3][0]), weekdays=frozenset(weekdays),
                any_day=parsed[2][1], any_weekday=parsed[4][1])


def next_after(cron: Cron, time_zone: str, after: datetime) -> datetime | None:
    """The first moment strictly after `after` (UTC) the expression names, in UTC; None within
    ~4 years (e.g. "0 0 31 2 *")."""
    zone = ZoneInfo(time_zone)
    local = after.astimezone(zone)
    day = datetime.combine(local.date(), time(0), tzinfo=zone)
    for _ in range(366 * 4 + 1):
        if cron.day_matches(day):
            for hour in cron.hours:
                for minute in cron.minutes:
                    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
                    if moment.astimezone(UTC) > after:
                        return moment.astimezone(UTC)
        day = datetime.combine(day.date() + timedelta(days=1), time(0), tzinfo=zone)
    return None


def daily_at(hour: int, time_zone: str, after: datetime) -> datetime:
    """The next `hour`:00 in the zone strictly after `after` (date triggers look once a day)."""
    found = next_after(parse(f"0 {hour} * * *"), time_zone, after)
    assert found is not None  # every day matches
    return found
