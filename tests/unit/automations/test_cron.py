"""Cron expressions in a brand's time zone (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from skailan.automations import cron


def test_next_after_in_the_zone_and_across_dst():
    every_monday = cron.parse("30 7 * * 1")
    after = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # a Wednesday
    assert cron.next_after(every_monday, "America/Lima", after) == datetime(2026, 3, 9, 12, 30, tzinfo=UTC)
    # New York moves to summer time on 2026-03-08: 07:30 local is 11:30 UTC after, 12:30 before
    assert cron.next_after(every_monday, "America/New_York", after) == datetime(2026, 3, 9, 11, 30, tzinfo=UTC)
    quarter = cron.parse("*/15 9-10 * * *")
    at = datetime(2026, 1, 1, 14, 50, tzinfo=UTC)  # 09:50 in Lima
    assert cron.next_after(quarter, "America/Lima", at) == datetime(2026, 1, 1, 15, 0, tzinfo=UTC)
    # strictly after: a moment on the dot gives the next one
    assert cron.next_after(quarter, "America/Lima", datetime(2026, 1, 1, 15, 0, tzinfo=UTC)) == datetime(
        2026, 1, 1, 15, 15, tzinfo=UTC)


def test_day_fields_match_either_when_both_are_given_and_sunday_is_0_or_7():
    first_or_friday = cron.parse("0 0 1 * 5")
    assert first_or_friday.day_matches(datetime(2026, 5, 1))  # the 1st (a Friday too)
    assert first_or_friday.day_matches(datetime(2026, 5, 8))  # a Friday
    assert not first_or_friday.day_matches(datetime(2026, 5, 9))
    assert cron.parse("0 0 * * 7").day_matches(datetime(2026, 5, 10))  # Sunday
    assert cron.next_after(cron.parse("0 0 31 2 *"), "UTC", datetime(2026, 1, 1, tzinfo=UTC)) is None


@pytest.mark.parametrize("bad", ["", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *",
                                 "* * * * 8", "*/0 * * * *", "5-1 * * * *", "a * * * *"])
def test_bad_expressions_are_refused(bad):
    with pytest.raises(cron.CronError):
        cron.parse(bad)


def test_daily_at_is_the_next_hour_in_the_zone():
    assert cron.daily_at(9, "America/Bogota", datetime(2026, 6, 1, 15, 0, tzinfo=UTC)) == datetime(
        2026, 6, 2, 14, 0, tzinfo=UTC)
    assert cron.daily_at(9, "America/Bogota", datetime(2026, 6, 1, 13, 0, tzinfo=UTC)) == datetime(
        2026, 6, 1, 14, 0, tzinfo=UTC)


def test_feb_29_birthdays_fall_on_feb_28_in_other_years():
    from datetime import date

    from skailan.automations.engine import _month_days

    assert _month_days(date(2027, 2, 28), yearly=True) == ["0228", "0229"]
    assert _month_days(date(2028, 2, 28), yearly=True) == ["0228"]  # a leap year: the 29th comes
    assert _month_days(date(2027, 2, 28), yearly=False) == ["0228"]  # a one-off date is exact
    assert _month_days(date(2027, 12, 5), yearly=True) == ["1205"]
