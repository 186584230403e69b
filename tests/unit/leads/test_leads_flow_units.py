"""Pure parts of the lead flow: the queue's sort key, flow membership, local hours, CSV, payloads."""

from __future__ import annotations

import pytest
from pydantic import ValidationError


def test_queue_sort_key_orders_never_worked_then_oldest_note_then_closed():
    from skailan.leads.store import queue_sk

    keys = {
        "closed_old": queue_sk("completed", "2026-01-01T00:00:00.000Z", "p1"),
        "worked_recent": queue_sk("in_progress", "2026-03-01T00:00:00.000Z", "p2"),
        "worked_old": queue_sk("in_progress", "2026-02-01T00:00:00.000Z", "p3"),
        "new_recent": queue_sk("none", "2026-03-05T00:00:00.000Z", "p4"),
        "new_old": queue_sk("none", "2025-12-01T00:00:00.000Z", "p5"),
    }
    assert sorted(keys, key=keys.__getitem__) == ["new_old", "new_recent", "worked_old", "worked_recent", "closed_old"]


def test_place_in_queue_uses_creation_until_worked_and_drops_out_of_flow():
    from skailan.leads import store

    lead = store.new_lead("demo", "p1", "2026-01-01T00:00:00.000Z")
    lead.person_created_at = "2025-05-05T00:00:00.000Z"
    store.place_in_queue(lead)
    assert lead.gsi1pk == "T#demo#QUEUE" and lead.gsi1sk == "0#2025-05-05T00:00:00.000Z#p1"
    lead.status, lead.last_note_at = "in_progress", "2026-02-02T00:00:00.000Z"
    store.place_in_queue(lead)
    assert lead.gsi1sk == "1#2026-02-02T00:00:00.000Z#p1"
    lead.in_flow = False
    store.place_in_queue(lead)
    assert lead.gsi1pk is None and lead.gsi2pk == "T#demo#LEADS"  # still mirrored, not queued


def test_every_key_starts_with_the_tenant():
    from skailan.leads import store

    for key in (store.lead_pk("t1", "p"), store.queue_pk("t1"), store.all_leads_pk("t1"), store.templates_pk("t1"),
                store.settings_pk("t1"), store.report_pk("t1"), store.unclassified_pk("t1")):
        assert key.startswith("T#t1#")


@pytest.mark.parametrize(("lists", "member_of", "expected"), [
    ([], [], True), ([], ["a"], True), (["a"], ["a", "b"], True), (["a"], ["b"], False), (["a", "c"], [], False),
])
def test_flow_membership(lists, member_of, expected):
    from skailan.leads.flow import in_flow

    assert in_flow({"list_ids": lists}, member_of) is expected


def test_hours_are_counted_in_the_brands_time_zone():
    from skailan.leads.reports import local_moment

    moment = local_moment("2026-03-01T02:30:00.000Z", "America/Bogota")  # UTC-5
    assert (moment.date().isoformat(), moment.hour) == ("2026-02-28", 21)
    assert local_moment("2026-03-01T02:30:00.000Z", "Not/AZone").hour == 2


def test_csv_cells_never_start_a_formula():
    from skailan.leads.models import LeadReportGroup, LeadReportOut, LeadReportTotals
    from skailan.leads.reports import report_csv

    out = LeadReportOut(totals=LeadReportTotals(calls=1, unique_leads=1, closed=0),
                        groups=[LeadReportGroup(key="u1", label="=HYPERLINK(1)", calls=1, by_hour={"09": 1})],
                        outcomes={}, time_zone="UTC", date_from="2026-01-01", date_to="2026-01-02")
    lines = report_csv(out, "operator").splitlines()
    assert lines[1].startswith("u1,'=HYPERLINK(1),1,")


def test_event_payloads_are_checked_when_built():
    from skailan.leads.events import build

    with pytest.raises(ValidationError):
        build("demo", "lead.note_added", data={"person_id": "p"})  # missing note_id, text, author…
    with pytest.raises(ValueError, match=r"not in the skailan\.leads event catalogue"):
        build("demo", "lead.teleported", data={})


@pytest.mark.parametrize("body", [
    {"display_fields": ["custom.color", "tags", "lists", "owner", "journey_state", "email", "phone"]},
    {"reserve_roles": []}, {"ai": {"enabled": True, "provider": "bedrock", "model_id": "amazon.nova-micro-v1:0"}},
])
def test_settings_accepted(body):
    from skailan.leads.models import LeadSettingsIn

    LeadSettingsIn.model_validate(body)


@pytest.mark.parametrize("body", [
    {"display_fields": ["custom."]}, {"display_fields": ["password"]}, {"list_ids": ["a b"]}, {"reserve_roles": ["A"]},
    {"ai": {"provider": "gpt"}}, {"ai": {"openai_api_key": "short"}}, {"tenant_id": "acme"},
])
def test_settings_refused(body):
    from skailan.leads.models import LeadSettingsIn

    with pytest.raises(ValidationError):
        LeadSettingsIn.model_validate(body)
