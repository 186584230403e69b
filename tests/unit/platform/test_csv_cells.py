"""The one CSV-injection guard every export uses (analytics reports, usage, lead reports)."""

from __future__ import annotations

import csv
import io

import pytest

from skailan.platform.csv_cells import safe_cell


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Ana", "", "a=b", 3, -2, None, 1.5])
def test_other_cells_are_unchanged(value):
    assert safe_cell(value) == value


def test_the_usage_csv_defuses_sender_and_channel_names():
    from skailan.analytics.usage import ChannelUsage, SenderUsage, UsageOut, usage_csv

    out = UsageOut(month="2026-11", time_zone="America/Mexico_City", currency="MXN",
                   channels=[ChannelUsage(channel="=cmd", received=1, sent=2, total=3)],
                   senders=[SenderUsage(sender="@evil", kind="user", channel="whatsapp", sent=2)],
                   whatsapp=[], totals={}, definitions={})
    rows = list(csv.reader(io.StringIO(usage_csv(out))))
    assert rows[1][2] == "'=cmd" and rows[2][3] == "'@evil"
