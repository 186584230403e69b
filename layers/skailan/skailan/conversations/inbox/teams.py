"""Teams: which agents serve which channel accounts (what auto-assignment reads)."""

from __future__ import annotations

from skailan.conversations.inbox.handlers import handler_member
from skailan.conversations.inbox.models import TeamIn, TeamOut, TeamUpdateIn
from skailan.conversations.inbox_events import build
from skailan.conversations.store import teams as store
from skailan.conversations.store.inbox_items import TeamItem
from skailan.conversations.store.teams import all_teams, find_team
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.ids import new_id
from skailan.platform.storage import changed_meanwhile, refused_as

__all__ = ["all_teams", "find_team"]  # the store's, as the inbox calls them


def _out(item: TeamItem) -> TeamOut:
    return TeamOut(id=item.team_id, name=item.name, description=item.description,
                   members=sorted(item.members or ()), channel_accounts=sorted(item.channel_accounts or ()),
                   created_at=item.created_at)


def list_teams(tenant_id: str) -> list[TeamOut]:
    return sorted((_out(t) for t in all_teams(tenant_id)), key=lambda t: t.name.lower())


def _load(tenant_id: str, team_id: str) -> TeamItem:
    item = find_team(tenant_id, team_id)
    if item is None:
        raise NotFound("Equipo no encontrado. / Team not found.", code="team_not_found")
    return item


def get_team(tenant_id: str, team_id: str) -> TeamOut:
    return _out(_load(tenant_id, team_id))


def _check_members(tenant_id: str, user_ids: list[str]) -> None:
    unknown = [u for u in dict.fromkeys(user_ids) if handler_member(tenant_id, u) is None]
    if unknown:
        raise Unprocessable(
            "Estos usuarios no son agentes de la marca. / These users are not agents of the brand.",
            code="unknown_members",
            details=[{"field": "members", "error": "not an agent of this brand", "user_id": u} for u in unknown],
        )


def _check_accounts(tenant_id: str, account_ids: list[str]) -> None:
    from skailan.platform.errors import NotFound as _NotFound
    from skailan.tenancy import channel_accounts

    unknown = []
    for account_id in dict.fromkeys(account_ids):
        try:
            channel_accounts.get_account(tenant_id, account_id)
        except _NotFound:
            unknown.append(account_id)
    if unknown:
        raise Unprocessable(
            "Estos canales no existen en la marca. / These channel accounts do not exist in the brand.",
            code="unknown_channel_accounts",
            details=[{"field": "channel_accounts", "error": "unknown channel account", "account_id": a}
                     for a in unknown],
        )


def create_team(caller: Caller | None, tenant_id: str, data: TeamIn, *, team_id: str | None = None) -> TeamOut:
    _check_members(tenant_id, data.members)
    _check_accounts(tenant_id, data.channel_accounts)
    team_id = team_id or new_id().lower()
    now = iso()
    item = store.new_team(tenant_id, team_id, name=data.name, description=data.description,
                          members=set(data.members) or None, channel_accounts=set(data.channel_accounts) or None,
                          created_at=now, updated_at=now)
    event = build(tenant_id, "team.created", caller=caller, entity_type="team", entity_id=team_id,
                  data={"name": data.name, "members": sorted(data.members),
                        "channel_accounts": sorted(data.channel_accounts)})
    with refused_as(Conflict("Ese equipo ya existe. / That team already exists.", code="team_exists")):
        store.insert_team(item, events=[event])
    return _out(item)


def update_team(caller: Caller, team_id: str, data: TeamUpdateIn) -> TeamOut:
    item = _load(caller.tenant_id, team_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("members") is not None:
        _check_members(caller.tenant_id, changes["members"])
        item.members = set(changes["members"]) or None
    if changes.get("channel_accounts") is not None:
        _check_accounts(caller.tenant_id, changes["channel_accounts"])
        item.channel_accounts = set(changes["channel_accounts"]) or None
    for attr in ("name", "description"):
        if attr in changes and (changes[attr] is not None or attr == "description"):
            setattr(item, attr, changes[attr])
    item.updated_at = iso()
    event = build(caller.tenant_id, "team.updated", caller=caller, entity_type="team", entity_id=team_id,
                  data={"changed": sorted(changes), "members": sorted(item.members or ()),
                        "channel_accounts": sorted(item.channel_accounts or ())})
    with changed_meanwhile("El equipo cambió; vuelve a intentarlo.", "The team changed; try again."):
        store.save_team(item, events=[event])
    return _out(item)


def delete_team(caller: Caller, team_id: str) -> None:
    item = _load(caller.tenant_id, team_id)
    store.delete_team(item, events=[build(caller.tenant_id, "team.deleted", caller=caller, entity_type="team",
                                          entity_id=team_id, data={"name": item.name})])


def serving(teams: list[TeamItem], account_id: str) -> list[TeamItem]:
    return [t for t in teams if account_id in (t.channel_accounts or ())]


def serves_account(tenant_id: str, account_id: str) -> bool:
    """Does any team of the brand serve this channel account (else nobody is auto-assigned its chats)?"""
    return bool(serving(all_teams(tenant_id), account_id))
