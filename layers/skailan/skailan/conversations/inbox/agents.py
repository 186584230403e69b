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

from skailan.conversations.inbox.handlers import AGENT_PERMISSION, require_handler
from skailan.conversations.inbox.models import AgentOut, AgentUpdateIn, Page, Presence
from skailan.conversations.inbox_events import build
from skailan.conversations.store import agents as store
from skailan.conversations.store.agents import all_agents, ensure_agent, get_agent, ready_agents
from skailan.conversations.store.inbox_items import AgentItem
from skailan.platform.auth import Caller, grants
from skailan.platform.clock import iso, utcnow

__all__ = ["all_agents", "ensure_agent", "get_agent", "ready_agents"]  # the store's, as the inbox calls them


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
    events = [build(caller.tenant_id, "agent.presence_changed", caller=caller, entity_type="agent",
                    entity_id=caller.principal_id, data={"status": status, "previous": previous})
              ] if status != previous else []
    config = get_config(caller.tenant_id)
    # The offline timer (return their conversations after the grace period) moves with the presence,
    # in its transaction: going offline sets it, any other status cancels it.
    timer = None
    if status == "offline" and previous != "offline":
        grace = timedelta(minutes=config.assignment.offline_grace_minutes)
        timer = store.OfflineTimer(iso(utcnow() + grace), {"offline_since": now})
    elif status != "offline":
        timer = store.OfflineTimer(None)
    agent = store.set_presence(caller.tenant_id, caller.principal_id, status, at=now, name=member.name,
                               email=member.email, events=events, current=agent, offline_timer=timer)
    return _out(caller.tenant_id, caller.principal_id, agent, default_capacity=config.assignment.default_capacity,
                teams=_teams_by_member(caller.tenant_id).get(caller.principal_id, []), name=member.name,
                email=member.email, role=member.role)


def update_agent(caller: Caller, user_id: str, data: AgentUpdateIn) -> AgentOut:
    member = require_handler(caller.tenant_id, user_id)
    ensure_agent(caller.tenant_id, user_id, name=member.name, email=member.email)
    changes = data.model_dump(exclude_unset=True)
    stored = dict(changes)
    if "tags" in stored:
        stored["tags"] = {t.strip().lower() for t in stored["tags"] or []}
    store.update_settings(caller.tenant_id, user_id, stored,
                          events=[build(caller.tenant_id, "agent.updated", caller=caller, entity_type="agent",
                                        entity_id=user_id, data={"changed": sorted(changes), **changes})])
    return agent_out(caller.tenant_id, user_id)
