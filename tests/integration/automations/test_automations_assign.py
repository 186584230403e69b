"""Assign steps: the person's owner, the conversation's agent, its team — by turns among chosen
users, through the CRM's and the inbox's own assignment (conditional claims): a redelivered event
or a retried step never takes a second turn or assigns twice."""

from __future__ import annotations

from typing import Any

from tests.support import call

API = "api/automations"


def _conversation(conversation_id: str, *, assignee: str | None = None, tenant: str = "demo") -> None:
    from skailan.conversations.store import state
    from skailan.conversations.store.items import ConversationItem, conversation_pk
    from skailan.crm.people.models import PersonIn
    from skailan.crm.people.service import create_person

    person = create_person(None, tenant, PersonIn(name=f"Cliente {conversation_id}",
                                                  email=f"{conversation_id}@example.com"))

    item = ConversationItem(conversation_pk(tenant, conversation_id), "C", tenant_id=tenant,
                            conversation_id=conversation_id, channel="whatsapp", account_id="demo-whatsapp",
                            person_id=person.id, status="open", last_activity_at="2026-01-01T00:00:00.000Z",
                            assignee=assignee)
    for name, value in state.view_values(item, {}).items():
        setattr(item, name, value)
    item.save()


def _alert(conversation_id: str, event_id: str | None = None, tenant: str = "demo") -> Any:
    from skailan.platform.events import DomainEvent

    extra = {"id": event_id} if event_id else {}
    return DomainEvent(tenant_id=tenant, source="skailan.conversations", type="conversation.unassigned_alert",
                       entity_type="conversation", entity_id=conversation_id,
                       data={"conversation_id": conversation_id}, **extra)


def _holder(conversation_id: str, tenant: str = "demo") -> tuple[str | None, str | None]:
    from skailan.conversations.store import state

    item = state.load(tenant, conversation_id)
    return item.assignee, item.team_id


def test_assign_agent_by_turns_once_per_event(demo):
    from skailan.automations.engine import on_event

    admin = demo["admin@demo.local"]
    agents = [demo["agent1@demo.local"].sub, demo["agent2@demo.local"].sub]
    reply = call(API, "POST", "/v1/automations", principal=admin, body={
        "name": "Reparto", "kind": "escalation", "trigger": {"type": "conversation_unattended"},
        "steps": [{"type": "assign_agent", "user_ids": agents, "only_unassigned": True}]})
    assert reply.status == 201, reply.body
    for n in range(3):
        _conversation(f"c-rr-{n}")
    first = _alert("c-rr-0", event_id="01JALERT00000000000000000A")
    on_event(first)
    for _ in range(3):
        on_event(first)  # redelivered: the same run, no second turn
    on_event(_alert("c-rr-1"))
    on_event(_alert("c-rr-2"))
    assert [_holder(f"c-rr-{n}")[0] for n in range(3)] == [agents[0], agents[1], agents[0]]
    # someone already holds it: left alone
    _conversation("c-rr-held", assignee=agents[1])
    on_event(_alert("c-rr-held"))
    assert _holder("c-rr-held")[0] == agents[1]
    runs = call(API, "GET", f"/v1/automations/{reply.body['id']}/runs", principal=admin).body["items"]
    assert len(runs) == 4 and all(r["status"] == "completed" for r in runs)
    held = next(r for r in runs if r["trigger"]["data"]["conversation_id"] == "c-rr-held")
    assert held["steps"][0]["output"]["changed"] is False


def test_assign_team_and_a_retried_step_keeps_its_pick(demo):
    from skailan.automations import store
    from skailan.automations.engine import on_event
    from skailan.conversations.inbox import teams
    from skailan.conversations.inbox.models import TeamIn

    admin = demo["admin@demo.local"]
    agent2 = demo["agent2@demo.local"].sub
    team = teams.create_team(None, "demo", TeamIn(name="Ventas automáticas", members=[agent2]))
    reply = call(API, "POST", "/v1/automations", principal=admin, body={
        "name": "Al equipo", "trigger": {"type": "conversation_unattended"},
        "steps": [{"type": "assign_team", "team_id": team.id, "user_ids": [agent2]}]})
    assert reply.status == 201, reply.body
    _conversation("c-team-1")
    on_event(_alert("c-team-1"))
    assert _holder("c-team-1") == (agent2, team.id)
    # the pick of one run's step is claimed once: asking again gives the same user, no new turn
    users = ["u1", "u2", "u3"]
    picks = [store.round_robin_pick("demo", reply.body["id"], "run-x", 7, users) for _ in range(3)]
    assert picks == ["u1", "u1", "u1"]
    assert store.round_robin_pick("demo", reply.body["id"], "run-y", 7, users) == "u2"


def test_assign_steps_bad_input_name_the_part(demo):
    admin, acme = demo["admin@demo.local"], demo["admin@acme.local"]
    agent = demo["agent1@demo.local"].sub
    from skailan.conversations.inbox import teams
    from skailan.conversations.inbox.models import TeamIn

    acme_team = teams.create_team(None, "acme", TeamIn(name="Acme equipo"))
    cases = [
        ({"type": "tag_added", "tag": "x"}, {"type": "assign_agent", "user_ids": [agent]},
         "steps.0.assign_agent", "needs_conversation_trigger"),
        ({"type": "conversation_opened"}, {"type": "assign_agent", "user_ids": ["nadie"]},
         "steps.0.assign_agent.user_ids.0", "unknown"),
        ({"type": "conversation_opened"}, {"type": "assign_team", "team_id": acme_team.id},
         "steps.0.assign_team.team_id", "unknown"),
    ]
    for trigger, step, field, error in cases:
        reply = call(API, "POST", "/v1/automations", principal=admin,
                     body={"name": "x", "trigger": trigger, "steps": [step]})
        assert reply.status == 422, reply.body
        assert {"field": field, "error": error} in [{"field": d["field"], "error": d["error"]}
                                                    for d in reply.body["error"]["details"]], reply.body
    empty = call(API, "POST", "/v1/automations", principal=admin,
                 body={"name": "x", "trigger": {"type": "conversation_opened"},
                       "steps": [{"type": "assign_agent", "user_ids": []}]})
    assert empty.status == 422 and empty.body["error"]["details"][0]["field"].startswith("steps.0.assign_agent")
    # another brand's conversation event never reaches this brand's automations
    from skailan.automations.engine import on_event

    reply = call(API, "POST", "/v1/automations", principal=acme, body={
        "name": "Acme", "trigger": {"type": "conversation_unattended"},
        "steps": [{"type": "assign_team", "team_id": acme_team.id}]})
    assert reply.status == 201, reply.body
    _conversation("c-demo-only")
    on_event(_alert("c-demo-only"))
    assert call(API, "GET", f"/v1/automations/{reply.body['id']}/runs", principal=acme).body["items"] == []
    assert _holder("c-demo-only")[1] != acme_team.id
