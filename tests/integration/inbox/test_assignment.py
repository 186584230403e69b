"""Auto-assignment: online, in a team serving the channel account, under capacity; tags first, then
least loaded, then round-robin; a waiting queue drained when someone frees up or comes online;
offline agents' conversations back to the queue after the grace period. Races settled by
conditional writes — checked with threads."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest

from tests.integration.inbox.conftest import (
    INBOX,
    action,
    conversation,
    customer_writes,
    presence,
    pump,
    purge_inbox_queues,
    reset_agents,
)
from tests.support import call


@pytest.fixture(autouse=True)
def quiet_bots(demo):
    """No greetings in these tests: only assignment matters here."""
    from skailan.conversations.inbox import config
    from skailan.conversations.inbox.models import BotMessage, BotSettings, InboxSettingsIn
    from skailan.platform.auth import Caller

    admin = Caller(tenant_id="demo", principal_id=demo["admin@demo.local"].sub, kind="user",
                   permissions=frozenset({"conversations:manage"}))
    config.update_config(admin, InboxSettingsIn(bots=BotSettings(greeting=BotMessage(enabled=False),
                                                                  out_of_hours=BotMessage(enabled=False))))
    purge_inbox_queues()
    reset_agents()
    yield
    reset_agents()


def _caller(demo, email):
    from skailan.platform.auth import Caller
    from skailan.tenancy import members
    from skailan.tenancy.roles import role_permissions

    principal = demo[email]
    member = members.get_member("demo", principal.sub)
    return Caller(tenant_id="demo", principal_id=principal.sub, kind="user", email=email, name=member.name,
                  role=member.role, permissions=role_permissions("demo", member.role))


def _agent(demo, email):
    return call(INBOX, "GET", f"/v1/agents/{demo[email].sub}", principal=demo["supervisor@demo.local"]).body


def _holders(conversation_ids):
    from skailan.conversations.store import state

    return {cid: state.load("demo", cid).assignee for cid in conversation_ids}


def _queued_ids():
    from skailan.conversations.inbox.assignment import queued

    return [i.conversation_id for i in queued("demo", "demo-whatsapp", limit=500)]


def test_a_new_conversation_goes_to_the_online_agent_of_the_serving_team(demo):
    agent1 = demo["agent1@demo.local"]
    presence(agent1, "online")
    conversation_id = customer_writes("Hola, quiero información", wa_id="573103000001", message_id="wamid.AS1")
    detail = conversation(demo["supervisor@demo.local"], conversation_id).body
    assert detail["assignee"] == agent1.sub and detail["assignee_name"] == "Andrés Agente"
    assert _agent(demo, "agent1@demo.local")["load"] == 1
    feed = call(INBOX, "GET", "/v1/notifications", principal=agent1).body["items"]
    assert any(n["type"] == "assigned" and n["conversation_id"] == conversation_id for n in feed)
    history = call("api/conversations", "GET", f"/v1/conversations/{conversation_id}/history", principal=agent1).body
    assigned = [e for e in history["items"] if e["type"] == "conversation.assigned"]
    assert assigned and assigned[0]["data"]["automatic"] is True and assigned[0]["actor"]["kind"] == "system"


def test_least_loaded_then_round_robin(demo):
    agent1, agent2 = demo["agent1@demo.local"], demo["agent2@demo.local"]
    presence(agent1, "online")
    presence(agent2, "online")
    ids = [customer_writes(f"Consulta {n}", wa_id=f"57310300010{n}", message_id=f"wamid.RR{n}") for n in range(4)]
    counts = Counter(_holders(ids).values())
    assert counts == {agent1.sub: 2, agent2.sub: 2}
    # Round-robin among equals: consecutive conversations alternate
    holders = list(_holders(ids).values())
    assert holders[0] != holders[1] and holders[2] != holders[3]


def test_tag_matches_win_over_load(demo):
    from skailan.conversations.inbox import actions, assignment

    supervisor = demo["supervisor@demo.local"]
    agent1, agent2 = demo["agent1@demo.local"], demo["agent2@demo.local"]
    call(INBOX, "PATCH", f"/v1/agents/{agent2.sub}", principal=supervisor, body={"tags": ["ventas"]})
    presence(agent1, "online")
    presence(agent2, "online")
    busy = customer_writes("primero", wa_id="573103000201", message_id="wamid.TAG0")
    if _holders([busy])[busy] != agent2.sub:  # make agent2 the busier one
        action(supervisor, busy, "assign", {"user_id": agent2.sub})
    conversation_id = customer_writes("Quiero comprar", wa_id="573103000202", message_id="wamid.TAG1")
    actions.assign(_caller(demo, "supervisor@demo.local"), conversation_id, None)  # back to the queue, untagged
    purge_inbox_queues()
    actions.change_tags(_caller(demo, "supervisor@demo.local"), conversation_id, ["Ventas"], [])
    decision = assignment.assign_automatically("demo", conversation_id)
    assert decision.assignee == agent2.sub  # the tag beats agent1's lower load


def test_nobody_online_means_the_queue_and_coming_online_drains_it_oldest_first(demo):
    agent2 = demo["agent2@demo.local"]
    first = customer_writes("Hola?", wa_id="573103000301", message_id="wamid.Q1")
    second = customer_writes("Hola??", wa_id="573103000302", message_id="wamid.Q2")
    assert _holders([first, second]) == {first: None, second: None}
    assert _queued_ids()[:2] == [first, second]
    unassigned = call("api/conversations", "GET", "/v1/conversations", principal=demo["supervisor@demo.local"],
                      query={"assignee": "none", "status": "open"}).body["items"]
    assert {first, second} <= {c["id"] for c in unassigned}
    # When agent2 comes online with room for one, the oldest waiting conversation is theirs
    call(INBOX, "PATCH", f"/v1/agents/{agent2.sub}", principal=demo["supervisor@demo.local"], body={"capacity": 1})
    pump()
    presence(agent2, "online")
    pump()
    assert _holders([first, second]) == {first: agent2.sub, second: None}
    assert _queued_ids()[0] == second
    # Freeing capacity (closing) drains the next one
    assert action(agent2, first, "close", {"reason_id": "resolved"}).status == 200
    pump()
    assert _holders([second])[second] == agent2.sub
    assert _agent(demo, "agent2@demo.local")["load"] == 1


def test_an_agent_gone_offline_returns_their_conversations_after_the_grace_period(demo):
    from skailan.conversations.inbox import workers
    from skailan.platform.clock import iso, utcnow

    agent1, agent2 = demo["agent1@demo.local"], demo["agent2@demo.local"]
    presence(agent1, "online")
    conversation_id = customer_writes("Sigo esperando", wa_id="573103000401", message_id="wamid.OFF1")
    assert _holders([conversation_id])[conversation_id] == agent1.sub
    presence(agent1, "offline")
    presence(agent2, "online")
    pump()
    # Within the grace period nothing moves
    assert workers.run_timers(iso(utcnow() + timedelta(minutes=1))) == {}
    assert _holders([conversation_id])[conversation_id] == agent1.sub
    # After it, the conversation goes back to the queue and to agent2
    outcomes = workers.run_timers(iso(utcnow() + timedelta(minutes=6)))
    assert outcomes.get("offline:returned") == 1
    pump()
    assert _holders([conversation_id])[conversation_id] == agent2.sub
    assert _agent(demo, "agent1@demo.local")["load"] == 0


def test_coming_back_online_within_the_grace_period_keeps_the_conversations(demo):
    from skailan.conversations.inbox import workers
    from skailan.platform.clock import iso, utcnow

    agent1 = demo["agent1@demo.local"]
    presence(agent1, "online")
    conversation_id = customer_writes("¿Sigues ahí?", wa_id="573103000501", message_id="wamid.OFF2")
    presence(agent1, "offline")
    presence(agent1, "online")
    workers.run_timers(iso(utcnow() + timedelta(minutes=10)))
    assert _holders([conversation_id])[conversation_id] == agent1.sub


def test_two_agents_taking_one_conversation_at_the_same_moment_exactly_one_wins(demo, serialized_dynamodb):
    from skailan.conversations.inbox import actions
    from skailan.platform.errors import Conflict

    callers = [_caller(demo, "agent1@demo.local"), _caller(demo, "agent2@demo.local")]
    ids = [customer_writes(f"Carrera {n}", wa_id=f"57310300060{n}", message_id=f"wamid.RACE{n}") for n in range(5)]
    before = {c.principal_id: _agent(demo, c.email)["load"] for c in callers}
    for conversation_id in ids:
        barrier = threading.Barrier(2)
        results: dict[str, str] = {}

        def take(caller, conversation_id=conversation_id, barrier=barrier, results=results):
            barrier.wait()
            try:
                actions.take(caller, conversation_id)
                results[caller.principal_id] = "won"
            except Conflict as err:
                assert err.details["holder"]["user_id"] != caller.principal_id
                results[caller.principal_id] = "409"

        threads = [threading.Thread(target=take, args=(c,)) for c in callers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results.values()) == ["409", "won"], results
        winner = next(uid for uid, r in results.items() if r == "won")
        assert _holders([conversation_id])[conversation_id] == winner
    after = {c.principal_id: _agent(demo, c.email)["load"] for c in callers}
    assert sum(after.values()) - sum(before.values()) == len(ids)


def test_fifty_conversations_for_three_agents_with_capacity_ten(demo, serialized_dynamodb):
    from concurrent.futures import ThreadPoolExecutor

    from skailan.conversations.inbox import actions, assignment
    from skailan.conversations.store import state

    supervisor = demo["supervisor@demo.local"]
    trio = ["agent1@demo.local", "agent2@demo.local", "supervisor@demo.local"]
    created = call(INBOX, "POST", "/v1/teams", principal=supervisor,
                   body={"name": "Turno noche", "members": [demo[e].sub for e in trio],
                         "channel_accounts": ["demo-whatsapp"]})
    assert created.status == 201
    # Close what earlier tests left open on this number, so only the fifty compete
    for conversation_id in _queued_ids():
        actions.close(None, "demo", conversation_id, "resolved", actor_name="test")
    for email in trio:
        call(INBOX, "PATCH", f"/v1/agents/{demo[email].sub}", principal=supervisor, body={"capacity": 10})
    baseline = {e: _agent(demo, e)["load"] for e in trio}
    assert all(v == 0 for v in baseline.values()), baseline
    # Given 50 conversations that arrived while everyone was offline (the events are dropped:
    # the fifty assignments below are the race)
    ids = [customer_writes(f"Pedido {n}", wa_id=f"5731040{n:05d}", message_id=f"wamid.FIFTY{n}", run_inbox=False)
           for n in range(50)]
    purge_inbox_queues()
    for email in trio:
        presence(demo[email], "online")
    purge_inbox_queues()
    # When all fifty are assigned at once
    with ThreadPoolExecutor(max_workers=16) as pool:
        decisions = list(pool.map(lambda cid: assignment.assign_automatically("demo", cid), ids))
    # Then nobody is over capacity, every assignment is counted, and 20 wait in the queue
    holders = _holders(ids)
    per_agent = Counter(h for h in holders.values() if h)
    assert sorted(per_agent.values()) == [10, 10, 10], per_agent
    assert sum(1 for d in decisions if d.assignee) == 30
    assert sum(1 for h in holders.values() if h is None) == 20
    loads = {e: _agent(demo, e)["load"] for e in trio}
    assert loads == {e: per_agent[demo[e].sub] for e in trio}
    waiting = [cid for cid in _queued_ids() if cid in ids]
    assert sorted(waiting) == sorted(cid for cid, h in holders.items() if h is None)
    # When conversations close (concurrently), the queue drains into the freed places
    closing = [cid for cid, h in holders.items() if h][:20]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda cid: actions.close(None, "demo", cid, "resolved", actor_name="test"), closing))
    pump(rounds=30)
    holders = _holders(ids)
    open_held = Counter(h for cid, h in holders.items() if h and state.load("demo", cid).status == "open")
    assert sorted(open_held.values()) == [10, 10, 10], open_held
    assert [cid for cid in _queued_ids() if cid in ids] == []
    assert {e: _agent(demo, e)["load"] for e in trio} == {e: 10 for e in trio}
    assert call(INBOX, "DELETE", f"/v1/teams/{created.body['id']}", principal=supervisor).status == 204
