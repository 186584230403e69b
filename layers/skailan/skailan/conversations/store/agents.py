"""Agents' data access (inbox table): presence, capacity, tags and the `ready` index entry
(`conversations/inbox/agents.py` and `conversations/inbox/assignment.py` decide; the load counter is changed only in
`store/mutate.py`'s transactions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from skailan.conversations.inbox_events import table
from skailan.conversations.store import timers
from skailan.conversations.store.inbox_items import AGENT_PREFIX, AgentItem, agent_sk, agents_pk, ready_pk
from skailan.platform import outbox
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent
from skailan.platform.storage import Action, Condition, ConditionFailed, conditional, transaction


@dataclass(frozen=True)
class OfflineTimer:
    """The agent's offline timer written with a presence change: set for `due_at`, or cancelled (None)."""

    due_at: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def get_agent(tenant_id: str, user_id: str, *, consistent: bool = False) -> AgentItem | None:
    try:
        return AgentItem.get(agents_pk(tenant_id), agent_sk(user_id), consistent_read=consistent)
    except AgentItem.DoesNotExist:
        return None


def all_agents(tenant_id: str, *, consistent: bool = False) -> list[AgentItem]:
    """Every agent item of a brand in one Query (1 MB pages hold thousands of agents)."""
    return list(AgentItem.query(agents_pk(tenant_id), AgentItem.sk.startswith(AGENT_PREFIX),
                                consistent_read=consistent))


def ready_agents(tenant_id: str, *, page_size: int, last_key: dict[str, Any] | None = None) -> Any:
    """One page of the brand's online agents, least loaded first (the `ready` index: eventually
    consistent, so whoever is picked is re-checked by the claim's conditions)."""
    return AgentItem.ready.query(ready_pk(tenant_id), scan_index_forward=True, limit=page_size,
                                 page_size=page_size, last_evaluated_key=last_key)


def ensure_agent(tenant_id: str, user_id: str, *, name: str | None = None, email: str | None = None) -> AgentItem:
    """The agent item, created offline with no load on first need (a concurrent creation wins)."""
    agent = get_agent(tenant_id, user_id, consistent=True)
    if agent is not None:
        return agent
    now = iso()
    agent = AgentItem(agents_pk(tenant_id), agent_sk(user_id), tenant_id=tenant_id, user_id=user_id, name=name,
                      email=email, status="offline", status_at=now, load=0, created_at=now, updated_at=now)
    try:
        with conditional():
            agent.save(condition=AgentItem.pk.does_not_exist())
    except ConditionFailed:
        return get_agent(tenant_id, user_id, consistent=True) or agent
    return agent


def set_presence(tenant_id: str, user_id: str, status: str, *, at: str, name: str | None = None,
                 email: str | None = None, from_other_status: bool = False, events: Sequence[DomainEvent] = (),
                 current: AgentItem | None = None, offline_timer: OfflineTimer | None = None) -> AgentItem:
    """Presence (and the `ready` index entry: listed, by load, only while online) and its events,
    one transaction; the agent as written. With `from_other_status`, only an existing agent not
    already in that status (`ConditionFailed` otherwise), so a redelivered change writes nothing.
    `offline_timer`: the agent's offline timer set (`due_at`) or cancelled (None) in the same
    transaction, so no failure between leaves an agent offline without it, or online with it.

    Without events or timer the update reads back every attribute (ALL_NEW); a transaction reads
    back nothing, so the changes are set on `current` (the agent as read), or on a bare key item."""
    actions: list[Action] = [AgentItem.status.set(status), AgentItem.status_at.set(at)]
    if name is not None:
        actions.append(AgentItem.name.set(name))
    if email is not None:
        actions.append(AgentItem.email.set(email))
    online = status == "online"
    actions += [AgentItem.updated_at.set(at),
                AgentItem.ready_pk.set(ready_pk(tenant_id)) if online else AgentItem.ready_pk.remove()]
    key = AgentItem(agents_pk(tenant_id), agent_sk(user_id))
    condition: Condition | None = (AgentItem.pk.exists() & (AgentItem.status != status)) if from_other_status else None
    with conditional():
        if offline_timer is None:
            outbox.update_with(key, actions, events, table(), condition=condition)
        else:
            with transaction() as tx:
                tx.update(key, actions=actions, condition=condition)
                if offline_timer.due_at is None:
                    tx.delete(timers.timer_key(tenant_id, "offline", user_id))
                else:
                    tx.save(timers.timer_item(tenant_id, "offline", user_id, offline_timer.due_at,
                                              offline_timer.data))
                outbox.add(tx, events, table())
    if not events and offline_timer is None:
        return key  # update() read back every attribute (ALL_NEW)
    agent = current if current is not None else key
    agent.status, agent.status_at, agent.updated_at = status, at, at
    agent.ready_pk = ready_pk(tenant_id) if online else None
    if name is not None:
        agent.name = name
    if email is not None:
        agent.email = email
    return agent


def update_settings(tenant_id: str, user_id: str, changes: dict[str, Any], *,
                    events: Sequence[DomainEvent] = ()) -> None:
    """Capacity (None: the brand's default) and tags of an existing agent, with its events."""
    actions: list[Action] = [AgentItem.updated_at.set(iso())]
    if "capacity" in changes:
        actions.append(AgentItem.capacity.set(changes["capacity"]) if changes["capacity"] is not None
                       else AgentItem.capacity.remove())
    if "tags" in changes:
        tags = changes["tags"]
        actions.append(AgentItem.tags.set(tags) if tags else AgentItem.tags.remove())
    outbox.update_with(AgentItem(agents_pk(tenant_id), agent_sk(user_id)), actions, events, table(),
                       condition=AgentItem.pk.exists())
