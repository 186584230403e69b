"""Index keys, visibility, list planning, cursors and the assignment ranking — no AWS."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from skailan.conversations.domain.filters import Filters
from skailan.conversations.inbox import assignment
from skailan.conversations.inbox.models import InboxSettings
from skailan.conversations.query import listing as views
from skailan.conversations.store import state
from skailan.conversations.store.inbox_items import AgentItem, TeamItem
from skailan.conversations.store.items import ConversationItem
from skailan.platform.auth import Caller
from skailan.platform.errors import BadRequest, Forbidden

AGENT = Caller(tenant_id="demo", principal_id="u1", kind="user", permissions=frozenset({"conversations:edit"}))
SUPERVISOR = Caller(tenant_id="demo", principal_id="s1", kind="user", permissions=frozenset({"conversations:manage"}))
SUPER_ADMIN = Caller(tenant_id="demo", principal_id="sa", kind="user", permissions=frozenset({"conversations:manage"}),
                     super_admin=True)


def _conversation(**attrs) -> ConversationItem:
    base = {"tenant_id": "demo", "conversation_id": "c1", "channel": "whatsapp", "account_id": "demo-whatsapp",
            "person_id": "p1", "status": "open", "last_activity_at": "2026-11-23T15:00:00.000Z"}
    return ConversationItem("T#demo#C#c1", "C", **{**base, **attrs})


def test_index_keys_embed_the_inbox_status_and_follow_changes():
    item = _conversation()
    values = state.view_values(item, {"assignee": "u1", "priority": "high"})
    assert values["ix_assignee"] == "T#demo#S#open#A#u1"
    assert values["ix_priority"] == "T#demo#S#open#P#high"
    assert values["ix_channel"] == "T#demo#S#open#H#whatsapp"
    assert values["gsi1pk"] == "T#demo#INBOX#open"
    assert values["ix_queue"] is None and values["ix_waiting"] is None
    snoozed = state.view_values(item, {"snoozed_until": "2026-11-24T00:00:00.000Z", "waiting_since": "x"})
    assert snoozed["gsi1pk"] == "T#demo#INBOX#snoozed" and snoozed["ix_waiting"] is None
    queued = state.view_values(item, {"queued_at": "2026-11-23T15:00:00.000Z"})
    assert queued["ix_queue"] == "T#demo#Q#demo-whatsapp" and queued["ix_assignee"] == "T#demo#S#open#A#-"
    waiting = state.view_values(item, {"waiting_since": "2026-11-23T15:00:00.000Z"})
    assert waiting["ix_waiting"] == "T#demo#W"
    closed = state.view_values(item, {"status": "closed", "assignee": None, "last_assignee": "u1"})
    assert closed["ix_assignee"] == "T#demo#S#closed#A#u1" and closed["ix_queue"] is None


def test_visibility_and_the_whatsapp_window():
    assert state.visible_to(AGENT, _conversation())
    assert state.visible_to(AGENT, _conversation(assignee="u1"))
    assert not state.visible_to(AGENT, _conversation(assignee="u2"))
    assert state.visible_to(SUPERVISOR, _conversation(assignee="u2"))
    assert not state.visible_to(AGENT, _conversation(status="closed", last_assignee="u2"))
    key = Caller(tenant_id="demo", principal_id="k1", kind="api_key", permissions=frozenset({"conversations:view"}))
    assert state.visible_to(key, _conversation(assignee="u2"))
    item = _conversation(last_customer_message_at="2026-11-23T10:00:00.000Z")
    assert state.window_expires_at(item) == "2026-11-24T10:00:00.000Z"
    assert state.window_expires_at(_conversation(channel="telegram", last_customer_message_at="x")) is None


def test_planning_picks_the_index_by_filter_and_agents_read_mine_and_unassigned(monkeypatch):
    mine = views.plan(AGENT, Filters.parse(status="open"))
    assert [s.hash_value for s in mine] == ["T#demo#S#open#A#u1", "T#demo#S#open#A#-"]
    assert [s.index for s in views.plan(SUPER_ADMIN, Filters.parse(channel="telegram",
                                                                                         status="open"))] == ["by_channel"]
    assert views.plan(SUPER_ADMIN, Filters.parse())[0].index == "gsi2"
    assert views.plan(SUPER_ADMIN, Filters.parse(status="closed"))[0].hash_value == "T#demo#INBOX#closed"
    assert len(views.plan(SUPER_ADMIN, Filters.parse(team="t1"))) == 4  # one stream per status
    waiting = views.plan(SUPER_ADMIN, Filters.parse(sort="waiting"))
    assert [s.index for s in waiting] == ["waiting"] and waiting[0].forward
    with pytest.raises(Forbidden):
        views.plan(AGENT, Filters.parse(assignee="u2"))
    assert views.plan(SUPER_ADMIN, Filters.parse(sort="waiting", status="closed")) == []
    # a supervisor (not super-admin) gets the same index, with the team rule as a filter
    assert views.plan(SUPER_ADMIN, Filters.parse(status="open"))[0].filter is None
    monkeypatch.setattr(state, "manager_teams", lambda caller: frozenset({"t1"}))
    (stream,) = views.plan(SUPERVISOR, Filters.parse(status="open"))
    assert stream.index == "gsi1" and "team_id" in str(stream.filter)
    assert not state.visible_to(SUPERVISOR, _conversation(assignee="u2", team_id="t2"))
    assert state.visible_to(SUPERVISOR, _conversation(assignee="u2", team_id="t1"))
    assert state.visible_to(SUPER_ADMIN, _conversation(assignee="u2", team_id="t2"))


def test_a_cursor_cannot_point_into_another_partition():
    import base64
    import json

    streams = views.plan(AGENT, Filters.parse(status="open"))
    forged = {streams[0].name: {"ix_assignee": {"S": "T#acme#S#open#A#u9"}, "pk": {"S": "T#acme#C#x"}}}
    cursor = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
    with pytest.raises(BadRequest):
        views.read(streams, limit=10, cursor=cursor)
    with pytest.raises(BadRequest):
        views.read(streams, limit=10, cursor="%%%")


def _agent(user_id, *, load=0, status="online", tags=(), last=None, capacity=None):
    return AgentItem("T#demo#AGENTS", f"A#{user_id}", tenant_id="demo", user_id=user_id, status=status, load=load,
                     tags=set(tags) or None, last_assigned_at=last, capacity=capacity)


def test_assignment_ranks_tags_then_load_then_round_robin():
    config = InboxSettings()
    teams = [TeamItem("T#demo#TEAMS", "M#t1", tenant_id="demo", team_id="t1", name="A", members={"a", "b", "c", "d"},
                      channel_accounts={"demo-whatsapp"}),
             TeamItem("T#demo#TEAMS", "M#t2", tenant_id="demo", team_id="t2", name="B", members={"x"},
                      channel_accounts={"demo-telegram"})]
    agents = [_agent("a", load=3), _agent("b", load=1, last="2026-11-23T10:00:00Z"),
              _agent("c", load=1, last="2026-11-23T09:00:00Z"), _agent("d", status="away"), _agent("x"),
              _agent("full", load=10)]
    order = [a.user_id for a in assignment.eligible(_conversation(), teams, agents, config)]
    assert order == ["c", "b", "a"]  # away, other team's and full agents are out; c waited longest
    teams[0].members = {"a", "b", "c", "a2"}
    tagged = [a.user_id for a in assignment.eligible(_conversation(tags={"ventas"}), teams,
                                                     [*agents[:3], _agent("a2", load=5, tags={"ventas"})], config)]
    assert tagged[0] == "a2"
    assert assignment.eligible(_conversation(), teams, agents, config, exclude=frozenset({"c"}))[0].user_id == "b"
    # Capacity is the agent's own when set
    assert assignment.eligible(_conversation(), teams, [_agent("a", load=2, capacity=2)], config) == []


def test_inactive_means_the_business_spoke_last_long_enough_ago():
    from skailan.conversations.inbox.bots import inactive

    now = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
    item = _conversation(last_agent_message_at="2026-11-23T15:00:00.000Z", last_message={"direction": "out"})
    assert inactive(item, 10, now) and not inactive(item, 60, now)
    assert not inactive(_conversation(last_agent_message_at="2026-11-23T15:00:00.000Z",
                                      last_message={"direction": "in"}), 10, now)
    assert not inactive(_conversation(status="closed", last_agent_message_at="2026-11-23T15:00:00.000Z"), 10, now)
