"""Take, assign, transfer, close with a reason, reopen, snooze, pin, priority, tags, notes,
read/unread — each a domain event and a history entry — and who may see what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.inbox.conftest import CONVERSATIONS, INBOX, action, conversation, customer_writes
from tests.support import call


def _history(principal, conversation_id):
    reply = call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}/history", principal=principal)
    assert reply.status == 200, reply.body
    return [e["type"] for e in reply.body["items"]]


def _load(demo, user):
    return call(INBOX, "GET", f"/v1/agents/{demo[user].sub}", principal=demo["supervisor@demo.local"]).body["load"]


def test_take_then_a_second_agent_gets_409_naming_the_holder_and_a_supervisor_may_force(demo):
    agent1, agent2, supervisor = demo["agent1@demo.local"], demo["agent2@demo.local"], demo["supervisor@demo.local"]
    conversation_id = customer_writes("Hola, necesito ayuda", wa_id="573101000001", message_id="wamid.ACT1")
    load1, load2 = _load(demo, "agent1@demo.local"), _load(demo, "agent2@demo.local")
    # When agent1 takes it
    taken = action(agent1, conversation_id, "take")
    assert taken.status == 200, taken.body
    assert taken.body["assignee"] == agent1.sub and taken.body["assignee_name"] == "Andrés Agente"
    # Then taking it again is harmless, and agent2 is told who holds it
    assert action(agent1, conversation_id, "take").status == 200
    refused = action(agent2, conversation_id, "take")
    assert refused.status == 409
    error = refused.body["error"]
    assert error["code"] == "conversation_taken" and "Andrés Agente" in error["message"]
    assert error["details"]["holder"] == {"user_id": agent1.sub, "name": "Andrés Agente", "email": "agent1@demo.local"}
    assert error["details"]["can_force"] is False
    # An agent cannot force it; a supervisor can, by confirming
    assert action(agent2, conversation_id, "take", {"confirm": True}).status == 403
    assert action(supervisor, conversation_id, "take").status == 409
    forced = action(supervisor, conversation_id, "take", {"confirm": True})
    assert forced.status == 200 and forced.body["assignee"] == supervisor.sub
    # The load counters followed the holder
    assert _load(demo, "agent1@demo.local") == load1
    assert _load(demo, "agent2@demo.local") == load2
    # GET shows the holder and the WhatsApp window
    detail = conversation(supervisor, conversation_id).body
    assert detail["assignee"] == supervisor.sub and detail["inbox_status"] == "open"
    expires = datetime.fromisoformat(detail["window_expires_at"].replace("Z", "+00:00"))
    assert timedelta(hours=23) < expires - datetime.now(UTC) <= timedelta(hours=24)
    assert _history(supervisor, conversation_id)[-2:] == ["conversation.taken", "conversation.taken"]


def test_agents_see_their_own_and_unassigned_conversations_other_brands_see_nothing(demo):
    agent1, agent2 = demo["agent1@demo.local"], demo["agent2@demo.local"]
    conversation_id = customer_writes("¿Hay alguien?", wa_id="573101000002", message_id="wamid.ACT2")
    # Unassigned: every agent of the brand sees it
    assert conversation(agent2, conversation_id).status == 200
    assert action(agent1, conversation_id, "take").status == 200
    # Held by agent1: agent2 no longer sees it nor acts on it; the take still names the holder
    assert conversation(agent2, conversation_id).status == 404
    assert call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}/messages", principal=agent2).status == 404
    assert action(agent2, conversation_id, "close", {"reason_id": "resolved"}).status == 404
    assert call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=agent2,
                body={"text": "hola"}).status == 404
    assert action(agent2, conversation_id, "take").status == 409
    # Supervisors and admins see the whole brand; another brand's admin gets 404 everywhere
    assert conversation(demo["supervisor@demo.local"], conversation_id).status == 200
    acme = demo["admin@acme.local"]
    assert conversation(acme, conversation_id).status == 404
    assert action(acme, conversation_id, "take").status == 404
    assert call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}/history", principal=acme).status == 404


def test_close_needs_one_of_the_brands_reasons_then_reopen(demo):
    agent1 = demo["agent1@demo.local"]
    conversation_id = customer_writes("Gracias, era todo", wa_id="573101000003", message_id="wamid.ACT3")
    assert action(agent1, conversation_id, "take").status == 200
    load = _load(demo, "agent1@demo.local")
    # Without a reason: 422 listing the reasons to choose from
    missing = action(agent1, conversation_id, "close")
    assert missing.status == 422 and missing.body["error"]["code"] == "close_reason_required"
    allowed = {r["id"] for r in missing.body["error"]["details"][0]["allowed"]}
    reasons = call("api/admin", "GET", "/v1/admin/close-reasons", principal=agent1).body["items"]
    assert allowed == {r["id"] for r in reasons} and "resolved" in allowed
    unknown = action(agent1, conversation_id, "close", {"reason_id": "porque-si"})
    assert unknown.status == 422 and unknown.body["error"]["code"] == "unknown_close_reason"
    # Another brand's custom reason is unknown here too
    acme_reason = call("api/admin", "POST", "/v1/admin/close-reasons", principal=demo["admin@acme.local"],
                       body={"name": "Solo Acme"}).body["id"]
    assert action(agent1, conversation_id, "close", {"reason_id": acme_reason}).status == 422
    # With a reason: closed, the holder's load released, its waits ended — all in one transaction
    from skailan.conversations.store import timers
    from tests.support import dynamodb_writes

    timers.schedule("demo", "inactivity", conversation_id, "2099-01-01T00:00:00Z")
    with dynamodb_writes() as writes:
        closed = action(agent1, conversation_id, "close", {"reason_id": "resolved"})
    assert closed.status == 200, closed.body
    assert writes == ["TransactWriteItems"]
    assert timers.get("demo", "inactivity", conversation_id) is None
    assert closed.body["status"] == "closed" and closed.body["close_reason_id"] == "resolved"
    assert closed.body["assignee"] is None
    assert _load(demo, "agent1@demo.local") == load - 1
    assert action(agent1, conversation_id, "close", {"reason_id": "resolved"}).status == 409
    # Whoever reopens it holds it
    reopened = action(agent1, conversation_id, "reopen")
    assert reopened.status == 200 and reopened.body["status"] == "open" and reopened.body["assignee"] == agent1.sub
    assert _load(demo, "agent1@demo.local") == load
    assert _history(agent1, conversation_id)[-2:] == ["conversation.closed", "conversation.reopened"]


def test_transfer_to_an_agent_with_a_note_or_to_a_team_but_never_outside_the_brand(demo):
    agent1, agent2, acme = demo["agent1@demo.local"], demo["agent2@demo.local"], demo["admin@acme.local"]
    conversation_id = customer_writes("Quiero cambiar mi pedido", wa_id="573101000004", message_id="wamid.ACT4")
    assert action(agent1, conversation_id, "take").status == 200
    # An agent of another brand: 422, nothing changes
    foreign = action(agent1, conversation_id, "transfer", {"user_id": acme.sub, "note": "toma"})
    assert foreign.status == 422 and foreign.body["error"]["code"] == "agent_not_in_brand"
    assert conversation(agent1, conversation_id).body["assignee"] == agent1.sub
    assert action(agent1, conversation_id, "transfer", {"note": "¿a quién?"}).status == 422
    # To agent2 with a note: agent2 holds it, reads the note, gets a notification
    moved = action(agent1, conversation_id, "transfer", {"user_id": agent2.sub, "note": "Cliente VIP, pedido 123"})
    assert moved.status == 200 and moved.body["assignee"] == agent2.sub
    notes = call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}/notes", principal=agent2).body["items"]
    assert notes[-1]["text"] == "Cliente VIP, pedido 123" and notes[-1]["author_id"] == agent1.sub
    feed = call(INBOX, "GET", "/v1/notifications", principal=agent2).body["items"]
    assert any(n["type"] == "assigned" and n["conversation_id"] == conversation_id for n in feed)
    # To a team: nobody holds it until auto-assignment picks a member
    to_team = action(agent2, conversation_id, "transfer", {"team_id": "soporte"})
    assert to_team.status == 200 and to_team.body["assignee"] is None and to_team.body["team_id"] == "soporte"
    assert action(agent2, conversation_id, "transfer", {"team_id": "no-existe"}).status == 422
    history = _history(demo["supervisor@demo.local"], conversation_id)
    assert history.count("conversation.transferred") == 2


def test_assign_is_for_supervisors_and_only_to_agents_of_the_brand(demo):
    supervisor, agent1, agent2 = demo["supervisor@demo.local"], demo["agent1@demo.local"], demo["agent2@demo.local"]
    conversation_id = customer_writes("Buenas tardes", wa_id="573101000005", message_id="wamid.ACT5")
    assert action(agent1, conversation_id, "assign", {"user_id": agent1.sub}).status == 403
    assigned = action(supervisor, conversation_id, "assign", {"user_id": agent2.sub})
    assert assigned.status == 200 and assigned.body["assignee"] == agent2.sub
    operator = demo["operator@demo.local"]
    assert action(supervisor, conversation_id, "assign", {"user_id": operator.sub}).status == 422
    released = action(supervisor, conversation_id, "assign", {"user_id": None})
    assert released.status == 200 and released.body["assignee"] is None
    assert action(agent1, conversation_id, "take").status == 200
    assert action(agent1, conversation_id, "unassign").status == 200


def test_snooze_pin_priority_tags_status_and_read_marks(demo):
    agent1 = demo["agent1@demo.local"]
    conversation_id = customer_writes("Te escribo mañana", wa_id="573101000006", message_id="wamid.ACT6")
    assert action(agent1, conversation_id, "take").status == 200
    until = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    snoozed = action(agent1, conversation_id, "snooze", {"until": until})
    assert snoozed.status == 200 and snoozed.body["status"] == "snoozed"
    assert action(agent1, conversation_id, "snooze", {"until": "2001-01-01T00:00:00Z"}).status == 422
    assert action(agent1, conversation_id, "snooze", {"until": "mañana"}).status == 422
    assert conversation(agent1, conversation_id).body["inbox_status"] == "snoozed"
    assert action(agent1, conversation_id, "unsnooze").body["status"] == "open"
    assert action(agent1, conversation_id, "pin").body["pinned"] is True
    assert action(agent1, conversation_id, "pin", {"pinned": False}).body["pinned"] is False
    assert action(agent1, conversation_id, "priority", {"priority": "urgent"}).body["priority"] == "urgent"
    assert action(agent1, conversation_id, "priority", {"priority": "altísima"}).status == 422
    tagged = action(agent1, conversation_id, "tags", {"add": ["VIP", "reclamo"]})
    assert tagged.body["tags"] == ["reclamo", "vip"]
    assert action(agent1, conversation_id, "tags", {"remove": ["reclamo"]}).body["tags"] == ["vip"]
    assert action(agent1, conversation_id, "status", {"status": "pending"}).body["status"] == "pending"
    assert action(agent1, conversation_id, "status", {"status": "open"}).body["status"] == "open"
    assert action(agent1, conversation_id, "read").status == 200
    assert conversation(agent1, conversation_id).body["unread"] is False
    assert action(agent1, conversation_id, "read", {"read": False}).status == 200
    assert conversation(agent1, conversation_id).body["unread"] is True
    types = _history(agent1, conversation_id)
    for expected in ("conversation.snoozed", "conversation.woke", "conversation.pinned", "conversation.unpinned",
                     "conversation.priority_changed", "conversation.tags_changed", "conversation.status_changed",
                     "conversation.read", "conversation.unread"):
        assert expected in types, expected


def test_notes_with_mentions_notify_the_mentioned(demo):
    agent1, supervisor = demo["agent1@demo.local"], demo["supervisor@demo.local"]
    conversation_id = customer_writes("Tengo un reclamo", wa_id="573101000007", message_id="wamid.ACT7")
    note = action(agent1, conversation_id, "notes", {"text": "@Sofía ¿autorizas el reembolso?",
                                                       "mentions": [supervisor.sub]})
    assert note.status == 201, note.body
    feed = call(INBOX, "GET", "/v1/notifications", principal=supervisor).body["items"]
    mention = next(n for n in feed if n["type"] == "mentioned" and n["conversation_id"] == conversation_id)
    assert "mencionó" in mention["text"] and mention["data"]["excerpt"].startswith("@Sofía")
    outside = action(agent1, conversation_id, "notes", {"text": "hola", "mentions": [demo["admin@acme.local"].sub]})
    assert outside.status == 422 and outside.body["error"]["code"] == "unknown_mentions"
    assert "conversation.note_added" in _history(agent1, conversation_id)


def test_marking_read_is_one_transaction_with_its_history_and_event(demo):
    from skailan.conversations.store import state
    from skailan.platform.settings import get_settings
    from tests.support import OutboxWatch, dynamodb_requests

    agent1 = demo["agent1@demo.local"]
    conversation_id = customer_writes("¿Me leen?", wa_id="573101000099", message_id="wamid.ACT99")
    assert action(agent1, conversation_id, "take").status == 200
    assert state.load("demo", conversation_id).unread_count
    outbox = OutboxWatch(get_settings().inbox_table)
    with dynamodb_requests() as sent:
        assert action(agent1, conversation_id, "read").status == 200
    # The marker, the holder's unread count back to 0, the history entry and the event: one request
    assert [op for op in sent if op not in ("GetItem", "Query", "BatchGetItem")] == ["TransactWriteItems"]
    assert outbox.types() == ["conversation.read"]
    assert state.load("demo", conversation_id).unread_count == 0
    assert "conversation.read" in _history(agent1, conversation_id)
