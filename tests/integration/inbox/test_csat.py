"""CSAT end to end: the brand turns it on, an agent closes a conversation, the question goes out
once through the outbound path as a system message, the customer's 1–5 answer becomes the
conversation's rating (it stays closed) and the dashboard counts it; anything else re-opens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.inbox.conftest import (
    CONVERSATIONS,
    INBOX,
    action,
    conversation,
    customer_writes,
    outbound_texts,
    pump,
    purge_inbox_queues,
    reset_agents,
)
from tests.support import call

ALWAYS = {d: [{"start": "00:00", "end": "23:59"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
QUESTION = ("¿Cómo calificarías la atención que recibiste? Responde con un número del 1 al 5. / "
            "How would you rate the help you got? Reply with a number from 1 to 5.")


@pytest.fixture(autouse=True)
def clean(demo):
    reset_agents()
    purge_inbox_queues()
    reply = call("api/admin", "PATCH", "/v1/admin/brand", principal=demo["admin@demo.local"],
                 body={"business_hours": ALWAYS})
    assert reply.status == 200, reply.body
    _settings(demo, bots={"greeting": {"enabled": False, "text": ""}, "faq": []})
    yield
    purge_inbox_queues()


@pytest.fixture
def published(demo):
    """The events the conversations context wrote to its table's outbox (read back from the table)."""
    from skailan.platform.settings import get_settings
    from tests.support import OutboxWatch

    return OutboxWatch(get_settings().conversations_table)


def _settings(demo, **sections):
    reply = call(INBOX, "PATCH", "/v1/inbox/settings", principal=demo["supervisor@demo.local"], body=sections)
    assert reply.status == 200, reply.body
    return reply.body


def _csat(demo, **csat):
    return _settings(demo, csat={"enabled": True, **csat})


def _history(principal, conversation_id):
    return call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}/history", principal=principal).body["items"]


def _csat_totals(principal, by="all"):
    reply = call(INBOX, "GET", "/v1/inbox/metrics", principal=principal, query={"metric": "csat", "by": by})
    assert reply.status == 200, reply.body
    return {t["dimension"]: t for t in reply.body["totals"]}


def _closed_by_agent(demo, *, wa_id, message_id, at=None):
    agent1 = demo["agent1@demo.local"]
    conversation_id = customer_writes("Hola, necesito ayuda", wa_id=wa_id, message_id=message_id, at=at)
    assert action(agent1, conversation_id, "take").status == 200
    purge_inbox_queues()
    closed = action(agent1, conversation_id, "close", {"reason_id": "resolved"})
    assert closed.status == 200, closed.body
    pump()
    return conversation_id


def _redeliver_close(demo, conversation_id):
    """The same `conversation.closed` event (same id) handled again by the events worker."""
    from skailan.conversations.inbox import workers
    from skailan.platform.events import DomainEvent

    entry = next(e for e in _history(demo["supervisor@demo.local"], conversation_id)
                 if e["type"] == "conversation.closed")
    event = DomainEvent(id=entry["id"], tenant_id="demo", source="skailan.conversations", type=entry["type"],
                        occurred_at=entry["occurred_at"], actor=entry["actor"], entity_type="conversation",
                        entity_id=conversation_id, data=entry["data"])
    return workers.on_inbox_event(event)


def test_settings_default_off_with_a_bilingual_question_and_bad_values_are_422_naming_the_field(demo):
    settings = call(INBOX, "GET", "/v1/inbox/settings", principal=demo["agent1@demo.local"]).body
    assert settings["csat"] == {"enabled": False, "question": QUESTION, "window_hours": 24}
    for body, field in (({"enabled": True, "window_hours": 0}, "csat.window_hours"),
                        ({"enabled": True, "window_hours": "mañana"}, "csat.window_hours"),
                        ({"enabled": True, "question": "  "}, "csat.question"),
                        ({"enabled": "quizás"}, "csat.enabled")):
        reply = call(INBOX, "PATCH", "/v1/inbox/settings", principal=demo["supervisor@demo.local"],
                     body={"csat": body})
        assert reply.status == 422, reply.body
        assert field in [d["field"] for d in reply.body["error"]["details"]], reply.body
    # Agents read, supervisors write; nothing changed
    assert call(INBOX, "PATCH", "/v1/inbox/settings", principal=demo["agent1@demo.local"],
                body={"csat": {"enabled": True}}).status == 403
    assert call(INBOX, "GET", "/v1/inbox/settings", principal=demo["supervisor@demo.local"]).body["csat"]["enabled"] \
        is False


def test_close_sends_the_survey_once_and_a_5_is_the_rating_without_reopening(demo, published):
    supervisor, agent1 = demo["supervisor@demo.local"], demo["agent1@demo.local"]
    _csat(demo)
    before_all = _csat_totals(supervisor).get("*", {"count": 0, "sum": 0})
    assert agent1.sub not in _csat_totals(supervisor, "agent")
    conversation_id = _closed_by_agent(demo, wa_id="573107000001", message_id="wamid.CSAT1")
    # The question is queued once, through the outbound path, as the brand's system message
    assert outbound_texts() == [QUESTION]
    messages = call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}/messages", principal=supervisor).body
    survey = messages["items"][0]
    assert survey["text"] == QUESTION and survey["author"]["kind"] == "system" and survey["direction"] == "out"
    detail = conversation(supervisor, conversation_id).body
    assert detail["inbox_status"] == "closed" and detail["rating"] is None
    until = datetime.fromisoformat(detail["awaiting_rating_until"].replace("Z", "+00:00"))
    assert timedelta(hours=23) < until - datetime.now(UTC) <= timedelta(hours=24)
    # A redelivered close event sends nothing more
    assert _redeliver_close(demo, conversation_id)["csat"] == "already_decided"
    pump()
    assert outbound_texts() == [QUESTION]
    assert [e["type"] for e in _history(supervisor, conversation_id)].count("conversation.csat_requested") == 1
    # The customer answers "5": stored as the rating, the conversation stays closed
    published.mark()
    purge_inbox_queues()
    assert customer_writes("5", wa_id="573107000001", message_id="wamid.CSAT2") == conversation_id
    detail = conversation(supervisor, conversation_id).body
    assert detail["inbox_status"] == "closed" and detail["status"] == "closed"
    assert detail["rating"] == 5 and detail["rated_at"] and detail["awaiting_rating_until"] is None
    assert detail["assignee"] is None and detail["close_reason_id"] == "resolved"
    events = published.events()
    types = [e.type for e in events]
    assert "conversation.rated" in types and "conversation.reopened" not in types
    rated = next(e for e in events if e.type == "conversation.rated")
    assert rated.data["rating"] == 5 and rated.data["agent"] == agent1.sub
    assert rated.data["conversation_id"] == conversation_id
    # The inbox got it from the bus: a history entry and the counters
    entries = [e for e in _history(supervisor, conversation_id) if e["type"] == "conversation.rated"]
    assert len(entries) == 1 and entries[0]["data"]["rating"] == 5
    assert outbound_texts() == []  # no bot answers a rating
    mine = _csat_totals(supervisor, "agent")[agent1.sub]
    assert mine["count"] == 1 and mine["average"] == 5
    assert mine["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}
    everyone = _csat_totals(supervisor)["*"]
    assert everyone["count"] == before_all["count"] + 1 and everyone["sum"] == before_all["sum"] + 5
    assert _csat_totals(supervisor, "channel")["whatsapp"]["count"] >= 1
    hourly = call(INBOX, "GET", "/v1/inbox/metrics", principal=supervisor,
                  query={"metric": "csat", "by": "agent"}).body["items"]
    assert any(b["dimension"] == agent1.sub and b["distribution"]["5"] == 1 for b in hourly)
    # A redelivered rating event is not counted twice
    from skailan.conversations.inbox import workers

    assert workers.on_inbox_event(rated)["csat"] == "rated"
    assert _csat_totals(supervisor, "agent")[agent1.sub]["count"] == 1
    assert len([e for e in _history(supervisor, conversation_id) if e["type"] == "conversation.rated"]) == 1
    # The rating was answered: the next message re-opens the conversation as always
    customer_writes("Otra pregunta", wa_id="573107000001", message_id="wamid.CSAT3")
    detail = conversation(supervisor, conversation_id).body
    assert detail["inbox_status"] == "open" and detail["rating"] == 5


def test_star_and_out_of_five_answers_count_in_the_distribution(demo):
    supervisor = demo["supervisor@demo.local"]
    _csat(demo)
    before = _csat_totals(supervisor).get("*", {"distribution": dict.fromkeys("12345", 0)})["distribution"]
    first = _closed_by_agent(demo, wa_id="573107000002", message_id="wamid.CSAT10")
    customer_writes("⭐⭐⭐⭐", wa_id="573107000002", message_id="wamid.CSAT11")
    second = _closed_by_agent(demo, wa_id="573107000003", message_id="wamid.CSAT12")
    customer_writes("2/5", wa_id="573107000003", message_id="wamid.CSAT13")
    assert conversation(supervisor, first).body["rating"] == 4
    assert conversation(supervisor, second).body["rating"] == 2
    after = _csat_totals(supervisor)["*"]["distribution"]
    assert after["4"] == before["4"] + 1 and after["2"] == before["2"] + 1


def test_any_other_answer_reopens_the_conversation_as_today(demo, published):
    supervisor = demo["supervisor@demo.local"]
    _csat(demo)
    before = _csat_totals(supervisor).get("*", {"count": 0})["count"]
    conversation_id = _closed_by_agent(demo, wa_id="573107000004", message_id="wamid.CSAT20")
    assert outbound_texts() == [QUESTION]
    published.mark()
    customer_writes("hola", wa_id="573107000004", message_id="wamid.CSAT21")
    detail = conversation(supervisor, conversation_id).body
    assert detail["inbox_status"] == "open" and detail["rating"] is None and detail["awaiting_rating_until"] is None
    assert published.types() == ["conversation.reopened", "message.received"]
    # A "5" now is an ordinary message of the open conversation
    customer_writes("5", wa_id="573107000004", message_id="wamid.CSAT22")
    detail = conversation(supervisor, conversation_id).body
    assert detail["inbox_status"] == "open" and detail["rating"] is None
    assert _csat_totals(supervisor).get("*", {"count": 0})["count"] == before


def test_a_rating_after_the_window_reopens(demo):
    from skailan.conversations.store.items import ConversationItem, conversation_pk
    from skailan.platform.clock import iso, utcnow

    supervisor = demo["supervisor@demo.local"]
    _csat(demo, window_hours=1)
    conversation_id = _closed_by_agent(demo, wa_id="573107000005", message_id="wamid.CSAT30")
    detail = conversation(supervisor, conversation_id).body
    until = datetime.fromisoformat(detail["awaiting_rating_until"].replace("Z", "+00:00"))
    assert timedelta(minutes=59) < until - datetime.now(UTC) <= timedelta(hours=1)
    # The hour passes
    ConversationItem(conversation_pk("demo", conversation_id), "C").update(
        actions=[ConversationItem.awaiting_rating_until.set(iso(utcnow() - timedelta(minutes=1)))])
    customer_writes("5", wa_id="573107000005", message_id="wamid.CSAT31")
    detail = conversation(supervisor, conversation_id).body
    assert detail["inbox_status"] == "open" and detail["rating"] is None
    assert not [e for e in _history(supervisor, conversation_id) if e["type"] == "conversation.rated"]


def test_csat_disabled_sends_nothing_and_a_5_reopens(demo):
    supervisor = demo["supervisor@demo.local"]
    _settings(demo, csat={"enabled": False})
    conversation_id = _closed_by_agent(demo, wa_id="573107000006", message_id="wamid.CSAT40")
    assert outbound_texts() == []
    detail = conversation(supervisor, conversation_id).body
    assert detail["inbox_status"] == "closed" and detail["awaiting_rating_until"] is None
    customer_writes("5", wa_id="573107000006", message_id="wamid.CSAT41")
    assert conversation(supervisor, conversation_id).body["inbox_status"] == "open"


def test_whatsapp_window_closed_sends_nothing_and_records_why(demo):
    supervisor = demo["supervisor@demo.local"]
    _csat(demo)
    conversation_id = _closed_by_agent(demo, wa_id="573107000007", message_id="wamid.CSAT50",
                                       at=datetime.now(UTC) - timedelta(hours=25))
    assert outbound_texts() == []
    detail = conversation(supervisor, conversation_id).body
    assert detail["inbox_status"] == "closed" and detail["awaiting_rating_until"] is None
    skipped = [e for e in _history(supervisor, conversation_id) if e["type"] == "conversation.csat_skipped"]
    assert len(skipped) == 1 and skipped[0]["data"]["reason"] == "window_closed"
    assert _redeliver_close(demo, conversation_id)["csat"] == "already_decided"
    assert len([e for e in _history(supervisor, conversation_id) if e["type"] == "conversation.csat_skipped"]) == 1
    assert outbound_texts() == []


def test_a_manual_reopen_ends_the_wait_and_other_brands_see_nothing(demo):
    supervisor, agent1, acme = demo["supervisor@demo.local"], demo["agent1@demo.local"], demo["admin@acme.local"]
    _csat(demo)
    conversation_id = _closed_by_agent(demo, wa_id="573107000008", message_id="wamid.CSAT60")
    customer_writes("3", wa_id="573107000008", message_id="wamid.CSAT61")
    assert conversation(supervisor, conversation_id).body["rating"] == 3
    # Another brand: 404 on the conversation, its history and messages; its own counters are empty
    assert conversation(acme, conversation_id).status == 404
    assert call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}/history", principal=acme).status == 404
    assert call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}/messages", principal=acme).status == 404
    acme_csat = call(INBOX, "GET", "/v1/inbox/metrics", principal=acme, query={"metric": "csat", "by": "agent"})
    assert acme_csat.status == 200 and acme_csat.body["totals"] == []
    assert call(INBOX, "GET", "/v1/inbox/settings", principal=acme).body["csat"]["enabled"] is False
    # Closed again (new survey), then re-opened by an agent: a late "4" is an ordinary message
    purge_inbox_queues()
    assert action(agent1, conversation_id, "reopen").status == 200
    assert action(agent1, conversation_id, "close", {"reason_id": "resolved"}).status == 200
    pump()
    assert outbound_texts() == [QUESTION]
    detail = conversation(supervisor, conversation_id).body
    assert detail["awaiting_rating_until"] and detail["rating"] is None
    assert action(agent1, conversation_id, "reopen").status == 200
    assert conversation(supervisor, conversation_id).body["awaiting_rating_until"] is None
    customer_writes("4", wa_id="573107000008", message_id="wamid.CSAT62")
    detail = conversation(supervisor, conversation_id).body
    assert detail["inbox_status"] == "open" and detail["rating"] is None
