"""Auto-assignment reads one page of the `ready` index (online agents by load), not every agent:
the items a decision reads do not grow with the brand's agents; presence keeps the index right;
a serving agent beyond the first pages is still found (whole read past them)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.integration.inbox.conftest import presence, reset_agents


@contextmanager
def _items_read() -> Iterator[list[int]]:
    """Items DynamoDB read (Query ScannedCount, GetItem hits) while the block runs."""
    from pynamodb.connection.base import Connection

    read = [0]
    original = Connection._make_api_call

    def counting(self: Any, operation_name: str, operation_kwargs: dict[str, Any]) -> dict[str, Any]:
        response = original(self, operation_name, operation_kwargs)
        if operation_name in ("Query", "Scan"):
            read[0] += int(response.get("ScannedCount", 0))
        elif operation_name == "GetItem":
            read[0] += 1 if response.get("Item") else 0
        return response

    Connection._make_api_call = counting  # type: ignore[method-assign]
    try:
        yield read
    finally:
        Connection._make_api_call = original  # type: ignore[method-assign]


def _brand(tenant: str, teams: dict[str, tuple[int, int]], account_id: str) -> None:
    """Online agents per team: name -> (how many, their load); the first team serves the account."""
    from skailan.conversations.store.inbox_items import AgentItem, TeamItem, agents_pk, ready_pk, teams_pk

    serving = next(iter(teams))
    for team, (count, load) in teams.items():
        members = {f"{team}-{n}" for n in range(count)}
        with AgentItem.batch_write() as batch:
            for user_id in members:
                batch.save(AgentItem(agents_pk(tenant), f"A#{user_id}", tenant_id=tenant, user_id=user_id,
                                     status="online", load=load, capacity=1000, ready_pk=ready_pk(tenant)))
        TeamItem(teams_pk(tenant), f"M#{team}", tenant_id=tenant, team_id=team, name=team, members=members,
                 channel_accounts={account_id} if team == serving else {"elsewhere"}).save()


def _conversation(tenant: str, conversation_id: str, account_id: str) -> None:
    from skailan.conversations.store import state
    from skailan.conversations.store.items import ConversationItem, conversation_pk

    item = ConversationItem(conversation_pk(tenant, conversation_id), "C", tenant_id=tenant,
                            conversation_id=conversation_id, channel="whatsapp", account_id=account_id,
                            person_id="p1", status="open", last_activity_at="2026-01-01T00:00:00.000Z")
    for name, value in state.view_values(item, {}).items():
        setattr(item, name, value)
    item.save()


def _decide(tenant: str, conversation_id: str, account_id: str) -> tuple[str | None, int]:
    from skailan.conversations.inbox import assignment

    _conversation(tenant, conversation_id, account_id)
    with _items_read() as read:
        decision = assignment.assign_automatically(tenant, conversation_id)
    return decision.assignee, read[0]


def test_items_read_per_decision_do_not_grow_with_the_agents(demo):
    _brand("ready-small", {"support": (10, 0)}, "acct")
    _brand("ready-large", {"support": (300, 0)}, "acct")
    small = _decide("ready-small", "c2", "acct")
    large = _decide("ready-large", "c2", "acct")
    assert small[0] is not None and small[0].startswith("support-")
    assert large[0] is not None and large[0].startswith("support-")
    from skailan.conversations.inbox.assignment import READY_PAGE

    assert large[1] <= READY_PAGE + 10  # one page of agents + conversation, settings, team
    assert large[1] - small[1] <= READY_PAGE - 10  # 300 agents read no more than a page over 10


def test_a_serving_agent_behind_other_teams_is_still_found(demo, monkeypatch):
    from skailan.conversations.inbox import assignment

    monkeypatch.setattr(assignment, "READY_PAGE", 3)
    monkeypatch.setattr(assignment, "MAX_READY_PAGES", 2)
    # Seven idle agents of another team come first in the index; the serving one has load 1.
    _brand("ready-mixed", {"sales": (1, 1), "other": (7, 0)}, "acct")
    assignee, _ = _decide("ready-mixed", "c1", "acct")
    assert assignee == "sales-0"


@pytest.fixture
def clean_agents(demo: Any) -> Iterator[None]:
    reset_agents()
    yield
    reset_agents()


def test_presence_keeps_the_ready_index(demo, clean_agents):
    from skailan.conversations.inbox import agents

    agent1 = demo["agent1@demo.local"]

    def ready_ids() -> set[str]:
        return {a.user_id for a in agents.ready_agents("demo", page_size=100)}

    presence(agent1, "online")
    assert agent1.sub in ready_ids()
    presence(agent1, "away")
    assert agent1.sub not in ready_ids()
    presence(agent1, "online")
    presence(agent1, "offline")
    assert agent1.sub not in ready_ids()
    assert ready_ids() == set()  # nobody else of the demo brand is online either
