"""The analytics context's pure parts: conversation facts from marks (order-independent, bots
excluded, handoffs and reopens start a new wait), business-hours seconds, exact percentiles."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from skailan.analytics import facts as F

WEEKDAYS = {d: [{"start": "08:00", "end": "18:00"}] for d in ("mon", "tue", "wed", "thu", "fri")}
BOGOTA = F.Hours.of("America/Bogota", WEEKDAYS, ["2026-11-09"])  # UTC-5, Monday 9 Nov a holiday
ALWAYS = F.Hours.of("UTC", {d: [{"start": "00:00", "end": "24:00"}] for d in F.DAYS})


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_business_seconds_inside_one_day():
    # Monday 2 Nov 2026, 09:00 → 09:01:40 Bogotá
    assert F.business_seconds(_at("2026-11-02T14:00:00Z"), _at("2026-11-02T14:01:40Z"), BOGOTA) == 100


def test_business_seconds_overnight_counts_only_open_hours():
    # Monday 17:50 → Tuesday 08:10 Bogotá: 10 min before closing + 10 min after opening
    assert F.business_seconds(_at("2026-11-02T22:50:00Z"), _at("2026-11-03T13:10:00Z"), BOGOTA) == 1200


def test_business_seconds_skip_weekends_and_holidays():
    # Friday 6 Nov 17:00 → Tuesday 10 Nov 08:30 Bogotá: 1 h Friday, weekend, holiday Monday, 30 min
    assert F.business_seconds(_at("2026-11-06T22:00:00Z"), _at("2026-11-10T13:30:00Z"), BOGOTA) == 5400
    without_holiday = F.Hours.of("America/Bogota", WEEKDAYS)
    assert F.business_seconds(_at("2026-11-06T22:00:00Z"), _at("2026-11-10T13:30:00Z"), without_holiday) == 5400 + 36000


def test_business_seconds_outside_hours_and_reversed_are_zero():
    assert F.business_seconds(_at("2026-11-07T15:00:00Z"), _at("2026-11-07T16:00:00Z"), BOGOTA) == 0  # Saturday
    assert F.business_seconds(_at("2026-11-02T16:00:00Z"), _at("2026-11-02T15:00:00Z"), BOGOTA) == 0


def test_local_day_is_the_brands_date():
    assert F.local_day("2026-11-03T03:00:00.000Z", "America/Bogota") == "2026-11-02"
    assert F.local_day("2026-11-03T03:00:00.000Z", "UTC") == "2026-11-03"


@pytest.mark.parametrize(("values", "p50", "p90"), [
    ({30: 1, 70: 1, 100: 1, 120: 1, 51600: 1, 279000: 1}, 100, 279000),
    ({5: 10}, 5, 5),
    ({1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1, 10: 1}, 5, 9),
    ({1: 1, 2: 0, 3: -0}, 1, 1),
])
def test_nearest_rank_percentiles(values, p50, p90):
    assert F.percentile(values, 50) == p50
    assert F.percentile(values, 90) == p90


def test_summary_of_nothing_is_empty():
    assert F.summary({}) == {"count": 0, "p50": None, "p90": None, "avg": None}
    assert F.summary({10: 2, 40: 1}) == {"count": 3, "p50": 10, "p90": 40, "avg": 20.0}


def _facts(marks):
    found = F.conversation_facts(marks, channel="whatsapp", team=None, hours=ALWAYS)
    return {k: (f.metric, f.seconds, dict(f.dims).get("agent")) for k, f in found.items()}


MARKS = [
    {"k": "o", "at": "2026-11-02T14:00:00.500Z", "msg": "m1"},  # the opening is stamped after its message
    {"k": "c", "at": "2026-11-02T14:00:00.000Z", "msg": "m1"},
    {"k": "c", "at": "2026-11-02T14:00:20.000Z", "msg": "m2"},
    {"k": "h", "at": "2026-11-02T14:01:40.000Z", "agent": "ana"},
    {"k": "h", "at": "2026-11-02T14:03:00.000Z", "agent": "ana"},
    {"k": "z", "at": "2026-11-02T14:10:00.000Z", "agent": "ana", "reason": "resolved"},
    {"k": "o", "at": "2026-11-02T16:00:00.000Z", "msg": "m3"},  # re-opened by the customer
    {"k": "c", "at": "2026-11-02T16:00:00.000Z", "msg": "m3"},
    {"k": "h", "at": "2026-11-02T16:02:00.000Z", "agent": "beto"},
]


def test_first_response_and_resolution_per_cycle():
    assert sorted(_facts(MARKS).values()) == [
        ("first_response", 100, "ana"), ("first_response", 120, "beto"), ("resolution", 600, "ana")]


def test_facts_do_not_depend_on_the_order_marks_arrived():
    expected = _facts(MARKS)
    shuffled = list(MARKS)
    for seed in range(20):
        random.Random(seed).shuffle(shuffled)
        assert _facts(shuffled) == expected


def test_bot_replies_never_count_and_a_handoff_restarts_the_wait():
    marks = [
        {"k": "o", "at": "2026-11-02T14:00:00.000Z", "msg": "m1"},
        {"k": "c", "at": "2026-11-02T14:00:00.000Z", "msg": "m1"},
        # the bot answered at 14:00:05 (not a mark: only people's replies are marks)
        {"k": "c", "at": "2026-11-02T14:04:50.000Z", "msg": "m2"},  # "quiero un asesor"
        {"k": "x", "at": "2026-11-02T14:05:00.000Z"},
        {"k": "h", "at": "2026-11-02T14:06:00.000Z", "agent": "beto"},
    ]
    assert list(_facts(marks).values()) == [("first_response", 70, "beto")]


def test_each_later_wait_for_a_person_is_one_reply():
    marks = [
        {"k": "o", "at": "2026-11-02T14:00:00.000Z", "msg": "m1"},
        {"k": "c", "at": "2026-11-02T14:00:00.000Z", "msg": "m1"},
        {"k": "h", "at": "2026-11-02T14:01:00.000Z", "agent": "ana"},  # the first response, not a reply
        {"k": "c", "at": "2026-11-02T14:05:00.000Z", "msg": "m2"},  # the wait starts at the first of two
        {"k": "c", "at": "2026-11-02T14:05:30.000Z", "msg": "m3"},
        {"k": "h", "at": "2026-11-02T14:07:00.000Z", "agent": "ana"},
        {"k": "h", "at": "2026-11-02T14:07:10.000Z", "agent": "ana"},  # nobody was waiting
        {"k": "c", "at": "2026-11-02T14:20:00.000Z", "msg": "m4"},
        {"k": "h", "at": "2026-11-02T14:20:45.000Z", "agent": "beto"},
        {"k": "c", "at": "2026-11-02T14:30:00.000Z", "msg": "m5"},  # unanswered at the close: no reply
        {"k": "z", "at": "2026-11-02T14:40:00.000Z", "agent": "beto", "reason": "resolved"},
    ]
    assert sorted(_facts(marks).values()) == [
        ("first_response", 60, "ana"), ("reply", 45, "beto"), ("reply", 120, "ana"), ("resolution", 2400, "beto")]
    assert "rp#2026-11-02T14:05:00.000Z" in _facts(marks)  # keyed by the message that waited: stable


def test_a_handoff_or_reopening_restarts_with_a_first_response_not_a_reply():
    marks = [
        {"k": "o", "at": "2026-11-02T14:00:00.000Z", "msg": "m1"},
        {"k": "c", "at": "2026-11-02T14:00:00.000Z", "msg": "m1"},
        {"k": "h", "at": "2026-11-02T14:00:30.000Z", "agent": "ana"},
        {"k": "c", "at": "2026-11-02T14:01:00.000Z", "msg": "m2"},
        {"k": "x", "at": "2026-11-02T14:01:05.000Z"},  # a bot took over, then handed back
        {"k": "h", "at": "2026-11-02T14:02:05.000Z", "agent": "beto"},
    ]
    assert sorted(_facts(marks).values()) == [("first_response", 30, "ana"), ("first_response", 65, "beto")]


def test_a_reply_before_any_customer_message_is_not_a_response():
    marks = [{"k": "o", "at": "2026-11-02T14:00:00.000Z"}, {"k": "h", "at": "2026-11-02T14:00:10.000Z", "agent": "a"},
             {"k": "c", "at": "2026-11-02T14:01:00.000Z", "msg": "m"}, {"k": "h", "at": "2026-11-02T14:01:30.000Z", "agent": "a"}]
    assert list(_facts(marks).values()) == [("first_response", 30, "a")]


def test_a_close_without_its_opening_uses_the_inboxs_resolution_time():
    marks = [{"k": "z", "at": "2026-11-02T14:10:00.000Z", "agent": "a", "rms": 90_000}]
    assert list(_facts(marks).values()) == [("resolution", 90, "a")]


def test_trimming_keeps_openings_and_closes():
    marks = [{"k": "o", "at": "2026-11-02T00:00:00.000Z"}] + [
        {"k": "c", "at": f"2026-11-02T{h:02d}:{m:02d}:00.000Z", "msg": f"m{h}-{m}"} for h in range(1, 23) for m in range(60)]
    trimmed = F.trim_marks(marks)
    assert len(trimmed) == F.MAX_MARKS and trimmed[0]["k"] == "o"
