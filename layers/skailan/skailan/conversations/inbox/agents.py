"""Agents: presence, capacity, tags/skills and the load counter auto-assignment relies on.

Any active member whose role grants `conversations:edit` can work the inbox. Their agent item
is created on first need (presence, settings, a team); until then they are offline with no
load. Everyone starts offline and only online agents get conversations automatically.

The `load` attribute counts the open conversations an agent holds. It changes only by `ADD`,
in the same transaction that sets or clears the conversation's holder (`assignment.py`), so
it cannot drift from the conversations themselves.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from skailan.conversations.inbox.handlers import AGENT_PERMISSION, require_handler
from skailan.conversations.inbox.models import AgentOut, AgentUpdateIn, Page, Presence
from skailan.conversations.inbox_events import emit
from skailan.conversations.store import timers
from skailan.conversations.store.inbox_items import AGENT_PREFIX, AgentItem, agent_sk, agents_pk, ready_pk
from skailan.platform.auth import Caller, grants
from skailan.platform.clock import iso, utcnow
from skailan.platform.storage import ConditionFailed, conditional


def get_agent(tenant_id: str, user_id: str, *, consistent: bool = False) -> AgentItem | None:
    try:
        return AgentItem.get(agents_pk(tenant_id), agent_sk(user_id), consistent_read=consistent)
    except AgentItem.DoesNotExist:
        return None


def all_agents(tenant_id: str, *, consistent: bool = False) -> list[AgentItem]:
    """Every agent item of a brand in one Query (1 MB pages hold thousands of agents)."""
    return list(AgentItem.query(agents_pk(tenant_id), AgentItem.sk.startswith(AGENT_PREFIX),
                                consistent_read=consistent))


def ready_action(tenant_id: str, status: str) -> Any:
    """The `ready` index entry follows presence: listed (by load) only while online."""
    return AgentItem.ready_pk.set(ready_pk(tenant_id)) if status == "online" else AgentItem.ready_pk.remove()


def ready_agents(tenant_id: str, *, page_size: int, last_key: dict[str, Any] | None = None) -> Any:
    """One page of the brand's online agents, least loaded first (the `ready` index: eventually
    consistent, so whoever is picked is re-checked by the claim's conditions)."""
    return AgentItem.ready.query(ready_pk(tenant_id), scan_index_forward=True, limit=page_size,
                                 page_size=page_size, last_evaluated_key=last_key)


def ensure_agent(tenant_id: str, user_id: str, *, name: str | None = None, email: str | None = None) -> AgentItem:
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


def effective_capacity(agent: AgentItem | None, default_capacity: int) -> int:
    if agent is not None and agent.capacity is not None:
        return int(agent.capacity)
    return default_capacity


def _out(tenant_id: str, user_id: str, agent: AgentItem | None, *, default_capacity: int, teams: list[str],
         name: str | None = None, email: str | None = None, role: str | None = None) -> AgentOut:
    return AgentOut(
        user_id=user_id, name=name or (agent.name if agent else None), email=email or (agent.email if agent else None),
        role=role, status=(agent.status if agent else "offline"),  # type: ignore[arg-type]
        status_at=agent.status_at if agent else None,
        capacity=effective_capacity(agent, default_capacity),
        capacity_override=int(agent.capacity) if agent and agent.capacity is not None else None,
        load=max(0, int(agent.load or 0)) if agent else 0, tags=sorted(agent.tags or ()) if agent else [],
        teams=teams,
    )


def _teams_by_member(tenant_id: str) -> dict[str, list[str]]:
    from skailan.conversations.inbox.teams import all_teams

    out: dict[str, list[str]] = {}
    for team in all_teams(tenant_id):
        for member in team.members or ():
            out.setdefault(member, []).append(team.team_id)
    return {k: sorted(v) for k, v in out.items()}


def agent_out(tenant_id: str, user_id: str) -> AgentOut:
    from skailan.conversations.inbox.config import get_config

    member = require_handler(tenant_id, user_id)
    return _out(tenant_id, user_id, get_agent(tenant_id, user_id),
                default_capacity=get_config(tenant_id).assignment.default_capacity,
                teams=_teams_by_member(tenant_id).get(user_id, []), name=member.name, email=member.email,
                role=member.role)


def list_agents(tenant_id: str) -> Page[AgentOut]:
    """Every member who can handle conversations, with presence and load (supervisors' view)."""
    from skailan.conversations.inbox.config import get_config
    from skailan.tenancy import members
    from skailan.tenancy.roles import role_permissions

    default_capacity = get_config(tenant_id).assignment.default_capacity
    agents = {a.user_id: a for a in all_agents(tenant_id)}
    teams = _teams_by_member(tenant_id)
    out: list[AgentOut] = []
    cursor: str | None = None
    permissions: dict[str, frozenset[str]] = {}
    while True:
        page = members.list_members(tenant_id, cursor=cursor, limit=100)
        for user in page.items:
            if user.role not in permissions:
                permissions[user.role] = role_permissions(tenant_id, user.role)
            if user.status != "active" or not grants(permissions[user.role], AGENT_PERMISSION):
                continue
            out.append(_out(tenant_id, user.id, agents.get(user.id), default_capacity=default_capacity,
                            teams=teams.get(user.id, []), name=user.name, email=user.email, role=user.role))
        cursor = page.next_cursor
        if not cursor:
            break
    out.sort(key=lambda a: ({"online": 0, "away": 1, "offline": 2}[a.status], (a.name or a.email or "").lower()))
    return Page[AgentOut](items=out)


def set_presence(caller: Caller, status: Presence) -> AgentOut:
    from skailan.conversations.inbox.config import get_config

    member = require_handler(caller.tenant_id, caller.principal_id)
    agent = ensure_agent(caller.tenant_id, caller.principal_id, name=member.name, email=member.email)
    previous = agent.status
    now = iso()
    agent.update(actions=[AgentItem.status.set(status), AgentItem.status_at.set(now),
                          AgentItem.name.set(member.name), AgentItem.email.set(member.email),
                          AgentItem.updated_at.set(now), ready_action(caller.tenant_id, status)])
    config = get_config(caller.tenant_id)
    if status == "offline" and previous != "offline":
        grace = timedelta(minutes=config.assignment.offline_grace_minutes)
        timers.schedule(caller.tenant_id, "offline", caller.principal_id, iso(utcnow() + grace),
                        {"offline_since": now})
    elif status != "offline":
        timers.cancel(caller.tenant_id, "offline", caller.principal_id)
    if status != previous:
        emit(caller.tenant_id, "agent.presence_changed", caller=caller, entity_type="agent",
             entity_id=caller.principal_id, data={"status": status, "previous": previous})
    return _out(caller.tenant_id, caller.principal_id, agent, default_capacity=config.assignment.default_capacity,
                teams=_teams_by_member(caller.tenant_id).get(caller.principal_id, []), name=member.name,
                email=member.email, role=member.role)


def update_agent(caller: Caller, user_id: str, data: AgentUpdateIn) -> AgentOut:
    member = require_handler(caller.tenant_id, user_id)
    ensure_agent(caller.tenant_id, user_id, name=member.name, email=member.email)
    changes = data.model_dump(exclude_unset=True)
    actions: list[Any] = [AgentItem.updated_at.set(iso())]
    if "capacity" in changes:
        actions.append(AgentItem.capacity.set(changes["capacity"]) if changes["capacity"] is not None
                       else AgentItem.capacity.remove())
    if "tags" in changes:
        tags = {t.strip().lower() for t in changes["tags"] or []}
        actions.append(AgentItem.tags.set(tags) if tags else AgentItem.tags.remove())
    AgentItem(agents_pk(caller.tenant_id), agent_sk(user_id)).update(actions=actions, condition=AgentItem.pk.exists())
    emit(caller.tenant_id, "agent.updated", caller=caller, entity_type="agent", entity_id=user_id,
         data={"changed": sorted(changes), **changes})
    return agent_out(caller.tenant_id, user_id)
