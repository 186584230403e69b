"""The NPS survey after close: where the brand turned it on (for the channel), closing a
conversation sends the 0–10 question once through the outbound path instead of the CSAT one; the
customer's answer (0 included) keeps it closed and publishes `conversation.nps_answered`, which
the analytics worker counts in /v1/reports/nps by agent and channel; anything else re-opens it."""

from __future__ import annotations

import pytest

from tests.integration.analytics.test_analytics import deliver
from tests.integration.inbox.conftest import (
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
NPS_QUESTION = ("Del 0 al 10, ¿qué tan probable es que nos recomiendes a un amigo o colega? Responde con un "
                "número. / From 0 to 10, how likely are you to recommend us to a friend or colleague? Reply "
                "with a number.")
CSAT_QUESTION = ("¿Cómo calificarías la atención que recibiste? Responde con un número del 1 al 5. / "
                 "How would you rate the help you got? Reply with a number from 1 to 5.")


@pytest.fixture(autouse=True)
def clean(demo):
    from skailan.analytics import brands, store

    reset_agents()
    purge_inbox_queues()
    assert call("api/admin", "PATCH", "/v1/admin/brand", principal=demo["admin@demo.local"],
                body={"business_hours": ALWAYS}).status == 200
    _settings(demo, bots={"greeting": {"enabled": False, "text": ""}, "faq": []},
              csat={"enabled": True}, nps={"enabled": True, "channels": ["whatsapp"]})
    brands.forget_brands()
    store.delete_tenant("demo")
    yield
    _settings(demo, nps={"enabled": False, "channels": []}, csat={"enabled": False})
    purge_inbox_queues()


@pytest.fixture
def published():
    from skailan.platform.settings import get_settings
    from tests.support import OutboxWatch

    return OutboxWatch(get_settings().conversations_table)


def _settings(demo, **sections):
    reply = call(INBOX, "PATCH", "/v1/inbox/settings", principal=demo["supervisor@demo.local"], body=sections)
    assert reply.status == 200, reply.body
    return reply.body


def _closed_by_agent(demo, *, wa_id: str, message_id: str) -> str:
    agent1 = demo["agent1@demo.local"]
    conversation_id = customer_writes("Hola, necesito ayuda", wa_id=wa_id, message_id=message_id)
    assert action(agent1, conversation_id, "take").status == 200
    purge_inbox_queues()
    assert action(agent1, conversation_id, "close", {"reason_id": "resolved"}).status == 200
    pump()
    return conversation_id


def _nps(demo, **query):
    reply = call("api/analytics", "GET", "/v1/reports/nps", principal=demo["supervisor@demo.local"], query=query)
    assert reply.status == 200, reply.body
    return reply.body


def test_settings_default_off_and_bad_values_are_422(demo):
    _settings(demo, nps={"enabled": False, "channels": []})
    settings = call(INBOX, "GET", "/v1/inbox/settings", principal=demo["agent1@demo.local"]).body
    assert settings["nps"] == {"enabled": False, "question": NPS_QUESTION, "channels": [], "window_hours": 24}
    for body, field in (({"channels": ["fax"]}, "nps.channels.0"), ({"window_hours": 0}, "nps.window_hours"),
                        ({"question": " "}, "nps.question"), ({"enabled": None}, "nps.enabled")):
        reply = call(INBOX, "PATCH", "/v1/inbox/settings", principal=demo["supervisor@demo.local"], body={"nps": body})
        assert reply.status == 422, reply.body
        assert " / " in reply.body["error"]["message"]
        assert field in [d["field"] for d in reply.body["error"]["details"]], reply.body
    assert call(INBOX, "PATCH", "/v1/inbox/settings", principal=demo["agent1@demo.local"],
                body={"nps": {"enabled": True}}).status == 403


def test_close_asks_nps_once_and_the_answer_is_counted_by_agent_and_channel(demo, published):
    supervisor, agent1 = demo["supervisor@demo.local"], demo["agent1@demo.local"]
    conversation_id = _closed_by_agent(demo, wa_id="573108000001", message_id="wamid.NPS1")
    assert outbound_texts() == [NPS_QUESTION]  # instead of the CSAT question, not beside it
    detail = conversation(supervisor, conversation_id).body
    assert detail["inbox_status"] == "closed" and detail["awaiting_rating_until"]

    published.mark()
    purge_inbox_queues()
    assert customer_writes("9/10", wa_id="573108000001", message_id="wamid.NPS2") == conversation_id
    detail = conversation(supervisor, conversation_id).body
    assert detail["inbox_status"] == "closed" and detail["awaiting_rating_until"] is None
    events = published.events()
    types = [e.type for e in events]
    assert "conversation.nps_answered" in types
    assert "conversation.rated" not in types and "conversation.reopened" not in types
    answered = next(e for e in events if e.type == "conversation.nps_answered")
    assert (answered.data["score"], answered.data["agent"], answered.data["channel"]) == (9, agent1.sub, "whatsapp")
    assert outbound_texts() == []

    # A 0 is an answer too (a detractor), not a new message.
    second = _closed_by_agent(demo, wa_id="573108000002", message_id="wamid.NPS3")
    published.mark()
    assert customer_writes("0", wa_id="573108000002", message_id="wamid.NPS4") == second
    assert conversation(supervisor, second).body["inbox_status"] == "closed"
    zero = next(e for e in published.events() if e.type == "conversation.nps_answered")
    assert zero.data["score"] == 0

    # The analytics worker counts both (once, even redelivered): by agent and by channel.
    assert deliver([answered, zero, answered]) == {"batchItemFailures": []}
    from datetime import date, timedelta

    day = date.fromisoformat(answered.data["answered_at"][:10])  # UTC; the brand's local day is within ±1
    window = {"from": (day - timedelta(days=1)).isoformat(), "to": (day + timedelta(days=1)).isoformat()}
    body = _nps(demo, **window, group_by="agent")
    assert (body["responses"], body["promoters"], body["detractors"], body["nps"]) == (2, 1, 1, 0.0)
    assert {g["key"]: g["responses"] for g in body["groups"]} == {agent1.sub: 2}
    assert {g["key"]: g["responses"] for g in _nps(demo, **window, group_by="channel")["groups"]} == {"whatsapp": 2}
    other = call("api/analytics", "GET", "/v1/reports/nps", principal=demo["admin@acme.local"], query=window).body
    assert other["responses"] == 0


def test_anything_but_0_to_10_reopens_and_other_channels_get_csat(demo):
    supervisor = demo["supervisor@demo.local"]
    conversation_id = _closed_by_agent(demo, wa_id="573108000003", message_id="wamid.NPS5")
    assert customer_writes("11", wa_id="573108000003", message_id="wamid.NPS6") == conversation_id
    assert conversation(supervisor, conversation_id).body["inbox_status"] == "open"
    # NPS only for webchat now: a WhatsApp close gets the CSAT question, and a 1–5 answer as before.
    _settings(demo, nps={"channels": ["webchat"]})
    purge_inbox_queues()
    other = _closed_by_agent(demo, wa_id="573108000004", message_id="wamid.NPS7")
    assert outbound_texts() == [CSAT_QUESTION]
    customer_writes("4", wa_id="573108000004", message_id="wamid.NPS8")
    detail = conversation(supervisor, other).body
    assert detail["inbox_status"] == "closed" and detail["rating"] == 4
