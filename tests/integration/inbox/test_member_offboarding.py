"""A brand member disabled or removed (tenancy's `user.disabled` / `user.deleted`, through the real
admin API, EventBridge rule and queues): out of the auto-assignment pool, their open
conversations back to the queue — or to a colleague of the same team with room — with a history
entry saying why; closed ones untouched, other brands untouched, a redelivered event changes
nothing, a conversation reassigned meanwhile stays where it is."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.inbox.conftest import (
    INBOX,
    QUEUES,
    action,
    customer_writes,
    presence,
    pump,
    purge_inbox_queues,
    queue_url,
    reset_agents,
)
from tests.support import FakeContext, Principal, call, handler_of

ADMIN = "api/admin"
EVENTS_QUEUE = QUEUES["workers/inbox_events"]
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def quiet_bots(demo) -> Iterator[None]:
    from skailan.conversations.inbox import config
    from skailan.conversations.inbox.models import BotMessage, BotSettings, InboxSettingsIn
    from skailan.platform.auth import Caller

    for tenant_id, email in (("demo", "admin@demo.local"), ("acme", "admin@acme.local")):
        admin = Caller(tenant_id=tenant_id, principal_id=demo[email].sub, kind="user",
                       permissions=frozenset({"conversations:manage"}))
        config.update_config(admin, InboxSettingsIn(bots=BotSettings(greeting=BotMessage(enabled=False),
                                                                      out_of_hours=BotMessage(enabled=False))))
    purge_inbox_queues()
    reset_agents("demo")
    reset_agents("acme")
    yield
    reset_agents("demo")
    reset_agents("acme")


@pytest.fixture
def opened() -> Iterator[list[tuple[str, str]]]:
    """(tenant, conversation) opened by the test; closed afterwards so later tests start with an
    empty waiting queue."""
    from skailan.conversations.inbox import actions
    from skailan.conversations.store import state

    created: list[tuple[str, str]] = []
    yield created
    for tenant_id, conversation_id in created:
        if state.load(tenant_id, conversation_id).status != "closed":
            actions.close(None, tenant_id, conversation_id, "resolved")
    purge_inbox_queues()


# ---------------------------------------------------------------- helpers


def _new_agent(label: str, *, tenants: tuple[str, ...] = ("demo",)) -> Principal:
    from infra.local.seed import DEMO_PASSWORD
    from skailan.tenancy import members

    email = f"{label}.{next(_numbers)}@demo.local"
    user = None
    for tenant_id in tenants:
        user, _ = members.add_member(tenant_id, email, f"Agente {label}", "agent", password=DEMO_PASSWORD)
    assert user is not None
    return Principal(sub=user.id, email=email, tenant=tenants[0])


def _team(tenant_id: str, account_id: str, *agents: Principal) -> str:
    from skailan.conversations.inbox import teams
    from skailan.conversations.inbox.models import TeamIn

    return teams.create_team(None, tenant_id, TeamIn(name=f"Equipo {next(_numbers)}", members=[a.sub for a in agents],
                                                     channel_accounts=[account_id])).id


def _write(opened: list[tuple[str, str]], text: str = "Hola, necesito ayuda") -> str:
    n = next(_numbers)
    conversation_id = customer_writes(text, wa_id=f"57311{n:07d}", message_id=f"wamid.OFF{n}")
    opened.append(("demo", conversation_id))
    return conversation_id


def _acme_writes(opened: list[tuple[str, str]]) -> str:
    from skailan.conversations.store import messages as store
    from tests.integration.channels.conftest import drain, post_meta, whatsapp_text

    n = next(_numbers)
    message_id = f"wamid.ACMEOFF{n}"
    reply = post_meta(whatsapp_text("Hola Acme", wa_id=f"52155{n:07d}", message_id=message_id,
                                    phone_number_id="100000000000002", waba="200000000000002"))
    assert reply.status == 200, reply.body
    assert drain() == []
    ref = store.find_ref("acme", "acme-whatsapp", message_id)
    assert ref is not None
    pump()
    opened.append(("acme", ref.conversation_id))
    return ref.conversation_id


def _conv(conversation_id: str, tenant_id: str = "demo") -> Any:
    from skailan.conversations.store import state

    return state.load(tenant_id, conversation_id)


def _agent(user_id: str, tenant_id: str = "demo") -> Any:
    from skailan.conversations.inbox import agents

    return agents.get_agent(tenant_id, user_id, consistent=True)


def _history(conversation_id: str, tenant_id: str = "demo") -> list[dict[str, Any]]:
    from skailan.conversations.store import history

    return [e.model_dump() for e in history.list_history(tenant_id, conversation_id, cursor=None, limit=100).items]


def _queued_ids() -> set[str]:
    from skailan.conversations.inbox.assignment import queued

    return {i.conversation_id for i in queued("demo", "demo-whatsapp", limit=500)}


def _peek_events_queue() -> list[dict[str, Any]]:
    """The messages waiting on the inbox events queue, left in place."""
    from skailan.platform.aws import client

    sqs, url = client("sqs"), queue_url(EVENTS_QUEUE)
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"],
                                       VisibilityTimeout=30).get("Messages", []):
        messages += batch
    for message in messages:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    return messages


def _member_event(kind: str, user_id: str) -> dict[str, Any]:
    import json

    found = [m for m in _peek_events_queue()
             if (body := json.loads(m["Body"]))["detail-type"] == kind and body["detail"]["entity_id"] == user_id]
    assert len(found) == 1, "the tenancy event reached the inbox events queue through InboxEventsRule"
    return found[0]


def _deliver(message: dict[str, Any]) -> dict[str, Any]:
    from infra.local.pollers import sqs_record

    arn = f"arn:aws:sqs:us-east-1:123456789012:{EVENTS_QUEUE}"
    return handler_of("workers/inbox_events")({"Records": [sqs_record(message, arn, "us-east-1")]}, FakeContext())


def _disable(user: Principal) -> None:
    reply = call(ADMIN, "POST", f"/v1/admin/users/{user.sub}/disable", principal=_admin())
    assert reply.status == 200 and reply.body["status"] == "disabled", reply.body


def _admin() -> Principal:
    from skailan.tenancy import cognito

    return Principal(sub=cognito.find_user_sub("admin@demo.local") or "", email="admin@demo.local", tenant="demo")


def _snapshot(conversation_ids: list[str], *users: str) -> dict[str, Any]:
    return {
        "conversations": {cid: (_conv(cid).assignee, _conv(cid).inbox_rev, _conv(cid).queued_at, len(_history(cid)))
                          for cid in conversation_ids},
        "agents": {u: (a.status, a.status_at, int(a.load or 0)) for u in users if (a := _agent(u))},
    }


def _offboarding_entries(conversation_id: str, reason: str) -> list[dict[str, Any]]:
    return [e for e in _history(conversation_id)
            if e["type"] == "conversation.unassigned" and e["data"].get("reason") == reason]


# ---------------------------------------------------------------- tests


def test_a_disabled_agent_leaves_the_pool_and_their_open_conversations_wait_in_the_queue(demo, opened, monkeypatch):
    from skailan.conversations.inbox import assignment
    from skailan.conversations.store.items import ConversationItem

    monkeypatch.setattr(assignment, "PAGE_SIZE", 2)  # A's 3 open conversations take two pages
    queries = []
    real_query = ConversationItem.by_assignee.query
    monkeypatch.setattr(ConversationItem.by_assignee, "query",
                        lambda key, *args, **kwargs: queries.append(key) or real_query(key, *args, **kwargs))
    a, b = _new_agent("ana", tenants=("demo", "acme")), _new_agent("beto")
    _team("demo", "demo-whatsapp", a, b)
    _team("acme", "acme-whatsapp", a)
    presence(a, "online")  # b stays offline: nobody can take A's conversations
    presence(Principal(sub=a.sub, email=a.email, tenant="acme"), "online")
    mine = [_write(opened) for _ in range(4)]
    assert {_conv(cid).assignee for cid in mine} == {a.sub}
    closed = mine.pop()
    assert action(a, closed, "close", {"reason_id": "resolved"}).status == 200
    closed_before = _conv(closed)
    # The same person also works for another brand, where they stay
    acme_conversation = _acme_writes(opened)
    assert _conv(acme_conversation, "acme").assignee == a.sub
    assert int(_agent(a.sub).load) == 3

    _disable(a)
    redelivery = _member_event("user.disabled", a.sub)
    pump()
    # Queries on A's by_assignee partitions only, paginated (never a Scan, never another brand)
    assert queries and all(k.startswith("T#demo#S#") and k.endswith(f"#A#{a.sub}") for k in queries)
    assert queries.count(f"T#demo#S#open#A#{a.sub}") >= 2

    # Out of the pool
    agent = _agent(a.sub)
    assert agent.status == "offline" and int(agent.load) == 0
    # Every open conversation back to the queue, saying why (Spanish / English)
    for cid in mine:
        item = _conv(cid)
        assert item.assignee is None and item.status == "open"
        entries = _offboarding_entries(cid, "agent_disabled")
        assert len(entries) == 1
        assert entries[0]["data"]["previous_assignee"] == a.sub
        assert "deshabilitado" in entries[0]["data"]["message"] and "disabled" in entries[0]["data"]["message"]
    assert set(mine) <= _queued_ids()
    listing = call("api/conversations", "GET", "/v1/conversations", principal=demo["supervisor@demo.local"],
                   query={"assignee": "none", "status": "open", "limit": "100"})
    assert listing.status == 200, listing.body
    assert set(mine) <= {c["id"] for c in listing.body["items"]}
    # The closed one untouched
    closed_after = _conv(closed)
    assert closed_after.status == "closed" and closed_after.inbox_rev == closed_before.inbox_rev
    assert closed_after.last_assignee == a.sub and not _offboarding_entries(closed, "agent_disabled")
    # The other brand untouched
    assert _conv(acme_conversation, "acme").assignee == a.sub
    acme_agent = _agent(a.sub, "acme")
    assert acme_agent.status == "online" and int(acme_agent.load) == 1

    # A redelivered event changes nothing
    before = _snapshot([*mine, closed], a.sub, b.sub)
    assert _deliver(redelivery) == {"batchItemFailures": []}
    pump()
    assert _snapshot([*mine, closed], a.sub, b.sub) == before
    assert _conv(acme_conversation, "acme").assignee == a.sub


def test_the_conversations_go_to_an_available_colleague_of_the_same_team_with_room(demo, opened):
    a, b = _new_agent("carla"), _new_agent("dario")
    outsider = _new_agent("elena")  # online, with room, but in no team serving the account
    _team("demo", "demo-whatsapp", a, b)
    _team("demo", "demo-messenger", outsider)
    presence(a, "online")
    mine = [_write(opened) for _ in range(3)]
    assert {_conv(cid).assignee for cid in mine} == {a.sub}
    supervisor = demo["supervisor@demo.local"]
    assert call(INBOX, "PATCH", f"/v1/agents/{b.sub}", principal=supervisor, body={"capacity": 2}).status == 200
    presence(b, "online")
    presence(outsider, "online")
    pump()

    _disable(a)
    pump()

    holders = [_conv(cid).assignee for cid in mine]
    assert sorted(holders, key=str) == sorted([b.sub, b.sub, None], key=str)  # B's capacity, then the queue
    assert int(_agent(b.sub).load) == 2 and int(_agent(a.sub).load) == 0 and _agent(a.sub).status == "offline"
    assert int(_agent(outsider.sub).load or 0) == 0
    for cid in mine:
        types = [e["type"] for e in _history(cid)]
        assert len(_offboarding_entries(cid, "agent_disabled")) == 1
        if _conv(cid).assignee == b.sub:
            assert types[-2:] == ["conversation.unassigned", "conversation.assigned"]
        else:
            assert cid in _queued_ids()


def test_a_conversation_reassigned_before_the_event_is_handled_stays_with_its_new_holder(demo, opened, monkeypatch):
    from skailan.conversations.inbox import assignment
    from skailan.conversations.store import state
    from skailan.conversations.store.items import ConversationItem

    a, b = _new_agent("fabio"), _new_agent("gina")
    _team("demo", "demo-whatsapp", a, b)
    presence(a, "online")
    moved, kept = _write(opened), _write(opened)
    assert _conv(moved).assignee == a.sub and _conv(kept).assignee == a.sub
    # What a lagging index still shows A holding when the worker runs
    stale = list(ConversationItem.by_assignee.query(state.assignee_key("demo", "open", a.sub)))
    assert {i.conversation_id for i in stale} == {moved, kept}

    _disable(a)
    # Meanwhile a supervisor hands one of them to B
    reply = action(demo["supervisor@demo.local"], moved, "assign", {"user_id": b.sub})
    assert reply.status == 200, reply.body
    real = assignment._held_by
    passes = iter([stale])
    monkeypatch.setattr(assignment, "_held_by", lambda t, u: iter(next(passes, None) or list(real(t, u))))
    pump()

    assert _conv(moved).assignee == b.sub and int(_agent(b.sub).load) == 1
    assert not _offboarding_entries(moved, "agent_disabled")
    assert _conv(kept).assignee is None and len(_offboarding_entries(kept, "agent_disabled")) == 1
    assert int(_agent(a.sub).load) == 0


def test_a_deleted_member_is_handled_the_same_way(demo, opened):
    a = _new_agent("hugo")
    _team("demo", "demo-whatsapp", a)
    presence(a, "online")
    mine = [_write(opened) for _ in range(2)]
    assert {_conv(cid).assignee for cid in mine} == {a.sub}

    assert call(ADMIN, "DELETE", f"/v1/admin/users/{a.sub}", principal=_admin()).status == 204
    pump()

    assert _agent(a.sub).status == "offline" and int(_agent(a.sub).load) == 0
    for cid in mine:
        assert _conv(cid).assignee is None and cid in _queued_ids()
        [entry] = _offboarding_entries(cid, "agent_deleted")
        assert "eliminado" in entry["data"]["message"] and "removed" in entry["data"]["message"]


def test_a_member_enabled_again_before_the_event_is_handled_keeps_their_conversations(demo, opened):
    a = _new_agent("ines")
    _team("demo", "demo-whatsapp", a)
    presence(a, "online")
    cid = _write(opened)
    _disable(a)
    assert call(ADMIN, "POST", f"/v1/admin/users/{a.sub}/enable", principal=_admin()).status == 200
    pump()
    assert _conv(cid).assignee == a.sub and _agent(a.sub).status == "online"
    assert not _offboarding_entries(cid, "agent_disabled")


def test_the_worker_sample_for_a_disabled_member(demo):
    from tests.support import sample_event

    result = handler_of("workers/inbox_events")(sample_event("InboxEventsWorkerFunction", "user_disabled"),
                                                FakeContext())
    assert result == {"batchItemFailures": []}
