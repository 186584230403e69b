"""The inbox list: filters, sorts, pagination and search — brand-scoped, and agents see only
their own and unassigned conversations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.inbox.conftest import CONVERSATIONS, action, customer_writes, pump, reset_agents
from tests.support import call


def _list(principal, **query):
    reply = call(CONVERSATIONS, "GET", "/v1/conversations", principal=principal, query=query or None)
    assert reply.status == 200, reply.body
    return reply.body


def _ids(principal, **query):
    return [c["id"] for c in _list(principal, **query)["items"]]


def _telegram(text: str, *, chat_id: str, name: str, message_id: str) -> str:
    from skailan.channels.models import InboundMessage, Sender
    from skailan.conversations.ingest import worker as ingest
    from skailan.conversations.ingest.inbound_queue import IngestEnvelope

    now = datetime.now(UTC)
    message = InboundMessage(channel="telegram", provider_message_id=message_id, sender=Sender(
        external_id=chat_id, display_name=name), timestamp=now, type="text", text=text)
    outcome = ingest.handle(IngestEnvelope(tenant_id="demo", account_id="demo-telegram", channel="telegram",
                                           received_at=now, via="telegram", event=message))
    assert outcome.result == "stored", outcome
    pump()
    return outcome.conversation_id


@pytest.fixture(scope="module")
def inbox(demo):
    """A small brand inbox: who holds what, priorities, tags, waiting times, a closed one."""
    from skailan.conversations.inbox import config
    from skailan.conversations.inbox.models import BotMessage, BotSettings, InboxSettingsIn
    from skailan.platform.auth import Caller

    admin = Caller(tenant_id="demo", principal_id="setup", kind="user", permissions=frozenset({"conversations:manage"}))
    config.update_config(admin, InboxSettingsIn(bots=BotSettings(greeting=BotMessage(enabled=False),
                                                                  out_of_hours=BotMessage(enabled=False))))
    reset_agents()
    agent1, agent2, supervisor = demo["agent1@demo.local"], demo["agent2@demo.local"], demo["supervisor@demo.local"]
    now = datetime.now(UTC)
    c = {
        "old": customer_writes("Necesito la factura de marzo", wa_id="573105000001", name="María José Pérez",
                               message_id="wamid.L1", at=now - timedelta(hours=3)),
        "mine": customer_writes("¿Cuál es el precio del envío a Cali?", wa_id="573105000002", name="Jorge Gómez",
                                message_id="wamid.L2"),
        "theirs": customer_writes("Hola buenas", wa_id="573105000003", name="Lucía Torres", message_id="wamid.L3"),
        "closed": customer_writes("Ya no lo necesito", wa_id="573105000004", name="Pedro Páramo",
                                  message_id="wamid.L4"),
        "telegram": _telegram("Hola desde Telegram", chat_id="9001", name="Ana Telegram", message_id="9001:1"),
    }
    assert action(agent1, c["mine"], "take").status == 200
    assert action(agent2, c["theirs"], "take").status == 200
    assert action(agent1, c["closed"], "take").status == 200
    assert action(agent1, c["closed"], "close", {"reason_id": "not-interested"}).status == 200
    assert action(supervisor, c["old"], "priority", {"priority": "high"}).status == 200
    assert action(supervisor, c["old"], "tags", {"add": ["VIP", "facturación"]}).status == 200
    assert action(supervisor, c["telegram"], "pin").status == 200
    # agent1 answers Jorge: no longer waiting, answered just now
    sent = call(CONVERSATIONS, "POST", f"/v1/conversations/{c['mine']}/messages", principal=agent1,
                body={"text": "Son 12.000 pesos"})
    assert sent.status == 202
    pump()
    return c


def test_supervisors_filter_by_status_assignee_channel_priority_tags_and_pins(demo, inbox):
    supervisor, agent1, agent2 = demo["supervisor@demo.local"], demo["agent1@demo.local"], demo["agent2@demo.local"]
    everything = set(_ids(supervisor, limit=100))
    assert set(inbox.values()) <= everything
    open_ids = set(_ids(supervisor, status="open", limit=100))
    assert inbox["closed"] not in open_ids and {inbox["mine"], inbox["old"]} <= open_ids
    assert inbox["closed"] in _ids(supervisor, status="closed")
    assert set(_ids(supervisor, status="open,closed", limit=100)) >= {inbox["closed"], inbox["mine"]}
    assert inbox["mine"] in _ids(supervisor, assignee=agent1.sub, status="open")
    assert inbox["theirs"] in _ids(supervisor, assignee=agent2.sub)
    assert inbox["closed"] in _ids(supervisor, assignee=agent1.sub, status="closed")  # closed by them
    unassigned = set(_ids(supervisor, assignee="none", status="open", limit=100))
    assert {inbox["old"], inbox["telegram"]} <= unassigned and inbox["mine"] not in unassigned
    assert _ids(supervisor, channel="telegram") == [inbox["telegram"]]
    assert _ids(supervisor, priority="high") == [inbox["old"]]
    assert _ids(supervisor, tags="vip,facturación") == [inbox["old"]]
    assert _ids(supervisor, tags="vip,otra") == []
    assert _ids(supervisor, pinned="true") == [inbox["telegram"]]
    assert _ids(supervisor, team="soporte") == []  # nobody was transferred to a team here
    assert inbox["old"] in _ids(supervisor, team="none", status="open", limit=100)
    row = next(c for c in _list(supervisor, assignee=agent1.sub, status="open")["items"] if c["id"] == inbox["mine"])
    assert row["assignee"] == agent1.sub and row["inbox_status"] == "open" and row["window_expires_at"]


def test_waiting_time_filters_and_sort(demo, inbox):
    supervisor = demo["supervisor@demo.local"]
    # Unanswered for at least 2 hours: only María José's, written 3 hours ago
    assert _ids(supervisor, unanswered_for="2h") == [inbox["old"]]
    waiting = _ids(supervisor, sort="waiting", limit=100)
    assert waiting[0] == inbox["old"]  # longest wait first
    assert inbox["mine"] not in waiting  # answered: not waiting
    assert inbox["closed"] not in waiting
    # Answered within the last hour: Jorge's
    assert _ids(supervisor, answered_within="1h") == [inbox["mine"]]
    bad = call(CONVERSATIONS, "GET", "/v1/conversations", principal=supervisor, query={"unanswered_for": "ayer"})
    assert bad.status == 422 and bad.body["error"]["details"][0]["field"] == "unanswered_for"


def test_last_activity_range_and_pagination(demo, inbox):
    supervisor = demo["supervisor@demo.local"]
    now = datetime.now(UTC)
    recent = set(_ids(supervisor, activity_from=(now - timedelta(minutes=30)).isoformat(), limit=100))
    assert {inbox["mine"], inbox["telegram"]} <= recent
    future = _ids(supervisor, activity_from=(now + timedelta(days=1)).isoformat())
    assert future == []
    # Page by page, everything once, newest activity first
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2, "status": "open,closed"}
        if cursor:
            query["cursor"] = cursor
        page = _list(supervisor, **query)
        seen += [c["id"] for c in page["items"]]
        cursor, pages = page["next_cursor"], pages + 1
        if not cursor or pages > 50:
            break
    assert len(seen) == len(set(seen)) and set(inbox.values()) <= set(seen)
    activity = [c["last_activity_at"] for c in _list(supervisor, status="open", limit=100)["items"]]
    assert activity == sorted(activity, reverse=True)
    # A cursor is bound to its brand and filters
    assert call(CONVERSATIONS, "GET", "/v1/conversations", principal=supervisor,
                query={"cursor": "bm90LWEtY3Vyc29y"}).status == 400


def test_agents_see_their_own_and_unassigned_only(demo, inbox):
    agent1, agent2 = demo["agent1@demo.local"], demo["agent2@demo.local"]
    mine = set(_ids(agent1, limit=100))
    assert {inbox["mine"], inbox["old"], inbox["telegram"], inbox["closed"]} <= mine
    assert inbox["theirs"] not in mine
    assert inbox["closed"] not in set(_ids(agent2, limit=100))
    assert _ids(agent1, assignee="me", status="open") == [inbox["mine"]]
    assert inbox["theirs"] not in _ids(agent1, q="Lucía")
    refused = call(CONVERSATIONS, "GET", "/v1/conversations", principal=agent1, query={"assignee": agent2.sub})
    assert refused.status == 403
    # Another brand sees nothing of this one
    acme = demo["admin@acme.local"]
    assert not set(_ids(acme, limit=100)) & set(inbox.values())
    assert _ids(acme, q="maria") == []


def test_search_by_name_phone_email_and_message_text(demo, inbox):
    supervisor = demo["supervisor@demo.local"]
    assert inbox["old"] in _ids(supervisor, q="maria jose")  # accents and case folded
    assert inbox["old"] in _ids(supervisor, q="Pérez")
    assert inbox["old"] in _ids(supervisor, q="3105000001")  # phone without country code
    assert inbox["old"] in _ids(supervisor, q="+57 310 500 0001")
    assert inbox["mine"] in _ids(supervisor, q="precio del envio")  # message text, a phrase
    assert inbox["mine"] in _ids(supervisor, q="ENVÍO")
    assert inbox["telegram"] in _ids(supervisor, q="telegram")
    assert _ids(supervisor, q="zzzzzz") == []
    # Search combines with the other filters
    assert _ids(supervisor, q="perez", status="closed") == []
    assert inbox["closed"] in _ids(supervisor, q="paramo", status="closed")
    short = call(CONVERSATIONS, "GET", "/v1/conversations", principal=supervisor, query={"q": "a"})
    assert short.status == 422


def test_search_by_e_mail(demo, inbox):
    from skailan.conversations.store import search_index as search

    search.index_contact("demo", inbox["theirs"], {"name": "Lucía Torres", "email": "lucia.torres@example.com"})
    supervisor = demo["supervisor@demo.local"]
    assert inbox["theirs"] in _ids(supervisor, q="lucia.torres@example.com")
    assert inbox["theirs"] in _ids(supervisor, q="lucia.torres@")
    # A renamed contact is no longer found by the old name
    search.index_contact("demo", inbox["theirs"], {"name": "Lucía Beltrán"})
    assert inbox["theirs"] not in _ids(supervisor, q="torres")
    assert inbox["theirs"] not in _ids(supervisor, q="lucia.torres@example.com")
    assert inbox["theirs"] in _ids(supervisor, q="beltran")



PARAMS = ("status", "channel", "account_id", "assignee", "team", "priority", "tags", "pinned", "unanswered_for",
          "answered_within", "activity_from", "activity_to", "sort", "q", "cursor", "limit")


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(query=st.dictionaries(st.sampled_from(PARAMS), st.one_of(
    st.text(max_size=30), st.sampled_from(["open", "open,closed", "me", "none", "waiting", "2h", "9999999w",
                                           "2026-01-01", "0001-01-01T00:00:00+14:00", "high", "vip", "true"])),
    max_size=5))
def test_no_combination_of_filters_is_a_server_error(demo, inbox, query):
    for principal in (demo["supervisor@demo.local"], demo["agent1@demo.local"]):
        reply = call(CONVERSATIONS, "GET", "/v1/conversations", principal=principal, query=query)
        assert reply.status < 500, (query, reply.body)
