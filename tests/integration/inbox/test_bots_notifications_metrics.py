"""Bots (greeting, out-of-hours, FAQ, handoff, inactivity auto-close), notifications with reminders
and unassigned alerts, and conversation metrics as hourly counters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.inbox.conftest import (
    CONVERSATIONS,
    INBOX,
    action,
    conversation,
    customer_writes,
    outbound_texts,
    presence,
    pump,
    purge_inbox_queues,
    reset_agents,
)
from tests.support import call

ALWAYS = {d: [{"start": "00:00", "end": "23:59"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
NEVER = {d: [] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture(autouse=True)
def clean(demo):
    reset_agents()
    purge_inbox_queues()
    yield
    purge_inbox_queues()


def _hours(demo, hours):
    reply = call("api/admin", "PATCH", "/v1/admin/brand", principal=demo["admin@demo.local"],
                 body={"business_hours": hours})
    assert reply.status == 200, reply.body


def _bots(demo, **bots):
    reply = call(INBOX, "PATCH", "/v1/inbox/settings", principal=demo["supervisor@demo.local"], body={"bots": bots})
    assert reply.status == 200, reply.body
    return reply.body


FAQ = [{"id": "envios", "keywords": ["envio", "domicilio"], "answer": "Enviamos a todo el país en 2 a 5 días."},
       {"id": "horario", "pattern": r"\bhorarios?\b", "answer": "Atendemos de 8:00 a 18:00."}]


def test_greeting_on_the_first_message_and_faq_answers_accent_and_case_insensitive(demo):
    _hours(demo, ALWAYS)
    _bots(demo, greeting={"enabled": True, "text": "¡Hola! Gracias por escribir a Demo."}, faq=FAQ)
    conversation_id = customer_writes("Hola", wa_id="573106000001", message_id="wamid.BOT1")
    assert outbound_texts() == ["¡Hola! Gracias por escribir a Demo."]
    purge_inbox_queues()
    customer_writes("¿Hacen ENVÍOS a Pasto?", wa_id="573106000001", message_id="wamid.BOT2")
    assert outbound_texts() == ["Enviamos a todo el país en 2 a 5 días."]
    purge_inbox_queues()
    customer_writes("¿Cuál es su HORARIO?", wa_id="573106000001", message_id="wamid.BOT3")
    assert outbound_texts() == ["Atendemos de 8:00 a 18:00."]
    purge_inbox_queues()
    customer_writes("Gracias", wa_id="573106000001", message_id="wamid.BOT4")
    assert outbound_texts() == []
    detail = conversation(demo["supervisor@demo.local"], conversation_id).body
    assert detail["bot_handled"] is True
    history = call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}/history",
                   principal=demo["supervisor@demo.local"]).body["items"]
    purposes = [e["data"]["purpose"] for e in history if e["type"] == "conversation.bot_replied"]
    assert purposes == ["greeting", "faq:envios", "faq:horario"]
    # Redelivering the creation event does not greet twice
    from skailan.conversations.inbox import bots, config

    assert bots.on_conversation_created("demo", conversation_id, config.get_config("demo")) is None


def test_out_of_hours_reply_once_and_handoff_to_a_person(demo):
    _hours(demo, NEVER)
    _bots(demo, out_of_hours={"enabled": True, "text": "Estamos fuera de horario; te respondemos mañana."},
          greeting={"enabled": True, "text": "¡Hola!"}, faq=FAQ)
    conversation_id = customer_writes("Hola, ¿hay envío hoy?", wa_id="573106000002", message_id="wamid.OOH1")
    # Out of hours: no greeting, no FAQ, one out-of-hours reply…
    assert outbound_texts() == ["Estamos fuera de horario; te respondemos mañana."]
    purge_inbox_queues()
    customer_writes("¿Hola?", wa_id="573106000002", message_id="wamid.OOH2")
    assert outbound_texts() == []  # …not one per message
    detail = conversation(demo["supervisor@demo.local"], conversation_id).body
    assert detail["bot_handled"] is True and detail["assignee"] is None
    # In hours, a customer who asks for a person gets one: a reply, high priority, the queue…
    _hours(demo, ALWAYS)
    purge_inbox_queues()
    other = customer_writes("Quiero hablar con un ASESOR por favor", wa_id="573106000012", message_id="wamid.HO1")
    assert outbound_texts() == ["¡Hola!", "Te comunicamos con un asesor en un momento."]
    detail = conversation(demo["supervisor@demo.local"], other).body
    assert detail["priority"] == "high" and detail["bot_handled"] is True and detail["assignee"] is None
    # …and the first agent who comes online
    presence(demo["agent2@demo.local"], "online")
    pump()
    assert conversation(demo["supervisor@demo.local"], other).body["assignee"] == demo["agent2@demo.local"].sub
    handoffs = [e for e in call(CONVERSATIONS, "GET", f"/v1/conversations/{other}/history",
                                principal=demo["supervisor@demo.local"]).body["items"]
                if e["type"] == "conversation.handoff_requested"]
    assert len(handoffs) == 1


def test_no_out_of_hours_reply_once_an_agent_took_and_answered(demo):
    """Visitor writes out of hours; an agent takes and answers before the inbox handles the
    message: the bot stays quiet (found walking the demo: the bot's reply came after the agent's)."""
    from skailan.conversations.inbox import bots, config
    from skailan.conversations.store import state

    _hours(demo, NEVER)
    _bots(demo, out_of_hours={"enabled": True, "text": "Estamos fuera de horario."},
          greeting={"enabled": True, "text": "¡Hola!"}, faq=FAQ)
    agent1 = demo["agent1@demo.local"]
    conversation_id = customer_writes("Hola, ¿hay envío hoy?", wa_id="573106000021", message_id="wamid.OOHA1",
                                      run_inbox=False)
    stale = state.load("demo", conversation_id)  # the view the bot decides from, before the take
    assert action(agent1, conversation_id, "take").status == 200
    assert call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=agent1,
                body={"text": "Hola, te atiendo yo."}).status == 202
    pump()
    assert outbound_texts() == ["Hola, te atiendo yo."]
    # The race: decided from a read made before the take, the send re-reads and stays quiet
    outcome = bots.on_customer_message(stale, "¿hay envío hoy?", config.get_config("demo"),
                                       written_at=stale.last_customer_message_at)
    assert outcome == {"action": None}
    assert outbound_texts() == ["Hola, te atiendo yo."]
    history = call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}/history",
                   principal=demo["supervisor@demo.local"]).body["items"]
    assert not [e for e in history if e["type"] == "conversation.bot_replied"]
    # An agent who answers without taking it: no out-of-hours notice after that answer either
    purge_inbox_queues()
    other = customer_writes("¿Siguen ahí?", wa_id="573106000022", message_id="wamid.OOHB1", run_inbox=False)
    assert call(CONVERSATIONS, "POST", f"/v1/conversations/{other}/messages", principal=agent1,
                body={"text": "Sí, dime."}).status == 202
    pump()
    assert outbound_texts() == ["Sí, dime."]
    assert conversation(demo["supervisor@demo.local"], other).body["assignee"] is None
    # In hours, no FAQ answer either while the agent holds it
    _hours(demo, ALWAYS)
    purge_inbox_queues()
    customer_writes("¿Hacen envíos a Pasto?", wa_id="573106000021", message_id="wamid.OOHA2")
    assert outbound_texts() == []


def test_inactivity_auto_close_with_a_closing_message_and_reason(demo):
    from skailan.conversations.inbox import workers
    from skailan.platform.clock import iso, utcnow

    _hours(demo, ALWAYS)
    _bots(demo, greeting={"enabled": False, "text": ""},
          inactivity={"enabled": True, "minutes": 10, "message": "Cerramos el chat por inactividad. ¡Escríbenos cuando quieras!",
                      "reason_id": "no-reply"})
    agent1 = demo["agent1@demo.local"]
    conversation_id = customer_writes("Una pregunta", wa_id="573106000003", message_id="wamid.INA1")
    assert action(agent1, conversation_id, "take").status == 200
    assert call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=agent1,
                body={"text": "¿En qué te ayudo?"}).status == 202
    pump()
    purge_inbox_queues()
    assert not [k for k in workers.run_timers(iso(utcnow() + timedelta(minutes=5))) if k.startswith("inactivity")]
    outcomes = workers.run_timers(iso(utcnow() + timedelta(minutes=11)))
    assert outcomes["inactivity:closed"] == 1
    detail = conversation(demo["supervisor@demo.local"], conversation_id).body
    assert detail["inbox_status"] == "closed" and detail["close_reason_id"] == "no-reply"
    assert detail["bot_handled"] is True
    assert outbound_texts() == ["Cerramos el chat por inactividad. ¡Escríbenos cuando quieras!"]
    # A customer who answered in time keeps the conversation open
    other = customer_writes("Hola", wa_id="573106000004", message_id="wamid.INA2")
    assert call(CONVERSATIONS, "POST", f"/v1/conversations/{other}/messages", principal=agent1,
                body={"text": "Hola, dime"}).status == 202
    pump()
    customer_writes("Ya te cuento", wa_id="573106000004", message_id="wamid.INA3")
    assert workers.run_timers(iso(utcnow() + timedelta(minutes=11)))["inactivity:noop"] == 1
    assert conversation(demo["supervisor@demo.local"], other).body["inbox_status"] == "open"
    _bots(demo, inactivity={"enabled": False})


def test_inactivity_settings_refuse_an_unknown_close_reason(demo):
    reply = call(INBOX, "PATCH", "/v1/inbox/settings", principal=demo["supervisor@demo.local"],
                 body={"bots": {"inactivity": {"enabled": True, "reason_id": "inventado"}}})
    assert reply.status == 422 and reply.body["error"]["code"] == "unknown_close_reason"
    bad_rule = call(INBOX, "PATCH", "/v1/inbox/settings", principal=demo["supervisor@demo.local"],
                    body={"bots": {"faq": [{"id": "x", "pattern": "(", "answer": "y"}]}})
    assert bad_rule.status == 422
    assert call(INBOX, "PATCH", "/v1/inbox/settings", principal=demo["agent1@demo.local"], body={}).status == 403


def test_new_messages_notify_the_holder_adding_up_and_remind_me_later(demo):
    from skailan.conversations.inbox import workers
    from skailan.platform.clock import iso, utcnow

    _hours(demo, ALWAYS)
    _bots(demo, greeting={"enabled": False, "text": ""}, faq=[])
    agent1 = demo["agent1@demo.local"]
    conversation_id = customer_writes("Hola", wa_id="573106000005", name="Rosa Díaz", message_id="wamid.N1")
    assert action(agent1, conversation_id, "take").status == 200
    customer_writes("¿Me ayudas?", wa_id="573106000005", name="Rosa Díaz", message_id="wamid.N2")
    customer_writes("Es urgente", wa_id="573106000005", name="Rosa Díaz", message_id="wamid.N3")
    feed = call(INBOX, "GET", "/v1/notifications", principal=agent1, query={"unread": "true"}).body["items"]
    messages = [n for n in feed if n["type"] == "message" and n["conversation_id"] == conversation_id]
    assert len(messages) == 1 and messages[0]["data"]["count"] == 2 and "Rosa Díaz" in messages[0]["text"]
    # Remind me in 15 minutes: it leaves the unread feed and comes back when due
    reminded = call(INBOX, "POST", f"/v1/notifications/{messages[0]['id']}/remind", principal=agent1,
                    body={"in": "15m"})
    assert reminded.status == 200 and reminded.body["remind_at"]
    assert call(INBOX, "POST", f"/v1/notifications/{messages[0]['id']}/remind", principal=agent1,
                body={"in": "2d"}).status == 422
    assert "remind:reminded" not in workers.run_timers(iso(utcnow() + timedelta(minutes=10)))
    assert workers.run_timers(iso(utcnow() + timedelta(minutes=16)))["remind:reminded"] == 1
    top = call(INBOX, "GET", "/v1/notifications", principal=agent1).body["items"][0]
    assert top["type"] == "reminder" and top["conversation_id"] == conversation_id
    assert call(INBOX, "POST", f"/v1/notifications/{top['id']}/read", principal=agent1).body["read_at"]
    # Nobody else's feed: another user cannot touch it
    assert call(INBOX, "POST", f"/v1/notifications/{top['id']}/read", principal=demo["agent2@demo.local"]).status == 404


def test_a_conversation_waiting_unassigned_too_long_alerts_the_supervisors(demo):
    from skailan.conversations.inbox import workers
    from skailan.platform.clock import iso, utcnow

    call(INBOX, "PATCH", "/v1/inbox/settings", principal=demo["supervisor@demo.local"],
         body={"alerts": {"unassigned_after_minutes": 5}})
    conversation_id = customer_writes("¿Nadie atiende?", wa_id="573106000006", message_id="wamid.AL1")
    outcomes = workers.run_timers(iso(utcnow() + timedelta(minutes=6)))
    assert outcomes.get("unassigned:alerted") == 1
    feed = call(INBOX, "GET", "/v1/notifications", principal=demo["supervisor@demo.local"]).body["items"]
    assert any(n["type"] == "unassigned_alert" and n["conversation_id"] == conversation_id for n in feed)
    history = call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}/history",
                   principal=demo["supervisor@demo.local"]).body["items"]
    assert any(e["type"] == "conversation.unassigned_alert" for e in history)


def test_first_response_and_resolution_become_hourly_counters(demo):
    _hours(demo, ALWAYS)
    _bots(demo, greeting={"enabled": False, "text": ""}, faq=[])
    agent1, supervisor = demo["agent1@demo.local"], demo["supervisor@demo.local"]

    def total(metric, by, dimension):
        body = call(INBOX, "GET", "/v1/inbox/metrics", principal=supervisor, query={"metric": metric, "by": by}).body
        return next((t["count"] for t in body["totals"] if t["dimension"] == dimension), 0)

    before = {"first": total("first_response_ms", "agent", agent1.sub), "sale": total("conversations_closed", "reason", "sale"),
              "resolution": total("resolution_ms", "channel", "whatsapp")}
    conversation_id = customer_writes("Hola", wa_id="573106000007", message_id="wamid.M1")
    assert action(agent1, conversation_id, "take").status == 200
    assert call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=agent1,
                body={"text": "Hola, ¿en qué te ayudo?"}).status == 202
    pump()
    assert call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=agent1,
                body={"text": "¿Algo más?"}).status == 202
    pump()
    assert action(agent1, conversation_id, "close", {"reason_id": "sale"}).status == 200
    pump()
    pump()  # the first-response event goes through the bus once more
    # One first response (the second reply is not one), one close for "sale", one resolution time
    assert total("first_response_ms", "agent", agent1.sub) == before["first"] + 1
    assert total("conversations_closed", "reason", "sale") == before["sale"] + 1
    assert total("resolution_ms", "channel", "whatsapp") == before["resolution"] + 1
    hourly = call(INBOX, "GET", "/v1/inbox/metrics", principal=supervisor,
                  query={"metric": "first_response_ms", "by": "all"}).body["items"]
    assert hourly and len(hourly[0]["hour"]) == 13 and hourly[0]["average"] >= 0
    # Redelivered events are not counted twice
    from skailan.conversations.inbox import metrics

    assert metrics.first_time("demo", "event-x:m") is True and metrics.first_time("demo", "event-x:m") is False
    assert call(INBOX, "GET", "/v1/inbox/metrics", principal=agent1,
                query={"metric": "resolution_ms"}).status == 403
