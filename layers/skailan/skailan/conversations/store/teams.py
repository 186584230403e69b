"""Teams' data access (inbox table): which agents serve which channel accounts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from skailan.conversations.store import ops
from skailan.conversations.store.inbox_items import TEAM_PREFIX, TeamItem, team_sk, teams_pk
from skailan.platform.events import DomainEvent


def all_teams(tenant_id: str) -> list[TeamItem]:
    """Every team of a brand: one Query (a brand has tens of teams, not thousands)."""
    return list(TeamItem.query(teams_pk(tenant_id), TeamItem.sk.startswith(TEAM_PREFIX)))


def find_team(tenant_id: str, team_id: str) -> TeamItem | None:
    return ops.get(TeamItem, teams_pk(tenant_id), team_sk(team_id))


def new_team(tenant_id: str, team_id: str, **values: Any) -> TeamItem:
    return TeamItem(teams_pk(tenant_id), team_sk(team_id), tenant_id=tenant_id, team_id=team_id, **values)


def insert_team(item: TeamItem, *, events: Sequence[DomainEvent] = ()) -> None:
    """The team and its events, one transaction; `ConditionFailed` when the id exists."""
    ops.insert(item, events=events)


def save_team(item: TeamItem, *, events: Sequence[DomainEvent] = ()) -> None:
    """Over the version read (`ConditionFailed` when it changed meanwhile), with its events."""
    ops.save(item, events=events)


def delete_team(item: TeamItem, *, events: Sequence[DomainEvent] = ()) -> None:
    ops.delete(item, events=events)
