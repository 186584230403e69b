"""Presence, agents, capacity, tags and teams through the inbox API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.inbox.conftest import INBOX, presence
from tests.support import Principal, call


def test_everyone_starts_offline_and_presence_changes_are_theirs(demo):
    # Given the demo agents, nobody has said anything yet
    supervisor, agent1 = demo["supervisor@demo.local"], demo["agent1@demo.local"]
    agents = call(INBOX, "GET", "/v1/agents", principal=supervisor)
    assert agents.status == 200
    by_email = {a["email"]: a for a in agents.body["items"]}
    # Agents, the supervisor and the admin can handle conversations; the operator cannot
    assert {"agent1@demo.local", "agent2@demo.local", "supervisor@demo.local", "admin@demo.local"} <= set(by_email)
    assert "operator@demo.local" not in by_email
    assert {a["status"] for a in agents.body["items"]} == {"offline"}
    # When agent1 goes online
    me = presence(agent1, "online")
    # Then they are online, with the brand's default capacity, and in the demo support team
    assert me["status"] == "online" and me["load"] == 0 and me["capacity"] == 10
    assert me["teams"] == ["soporte"]
    assert call(INBOX, "GET", "/v1/agents/me", principal=agent1).body["status"] == "online"
    presence(agent1, "away")
    assert call(INBOX, "GET", f"/v1/agents/{agent1.sub}", principal=supervisor).body["status"] == "away"
    presence(agent1, "offline")


def test_presence_is_validated_and_only_supervisors_list_agents(demo):
    agent1 = demo["agent1@demo.local"]
    bad = call(INBOX, "PUT", "/v1/agents/me/presence", principal=agent1, body={"status": "busy"})
    assert bad.status == 422 and bad.body["error"]["details"][0]["field"] == "status"
    assert call(INBOX, "GET", "/v1/agents", principal=agent1).status == 403
    # The operator has no conversations permission at all
    assert call(INBOX, "PUT", "/v1/agents/me/presence", principal=demo["operator@demo.local"],
                body={"status": "online"}).status == 403


def test_every_agent_sees_the_directory_of_their_brand_only(demo):
    agent1, acme_admin = demo["agent1@demo.local"], demo["admin@acme.local"]
    presence(demo["agent2@demo.local"], "online")
    reply = call(INBOX, "GET", "/v1/agents/directory", principal=agent1)
    assert reply.status == 200, reply.body
    by_id = {a["user_id"]: a for a in reply.body["items"]}
    agent2 = by_id[demo["agent2@demo.local"].sub]
    assert agent2 == {"user_id": demo["agent2@demo.local"].sub, "name": "Alejandra Agente", "status": "online",
                      "teams": ["soporte"]}
    assert demo["operator@demo.local"].sub not in by_id
    # Another brand's people are not in it; theirs are not in ours
    acme = call(INBOX, "GET", "/v1/agents/directory", principal=acme_admin).body["items"]
    assert {a["user_id"] for a in acme} == {acme_admin.sub}
    assert acme_admin.sub not in by_id
    assert call(INBOX, "GET", "/v1/agents/directory", principal=demo["operator@demo.local"]).status == 403
    presence(demo["agent2@demo.local"], "offline")


def test_capacity_and_tags_per_agent(demo):
    supervisor, agent2 = demo["supervisor@demo.local"], demo["agent2@demo.local"]
    updated = call(INBOX, "PATCH", f"/v1/agents/{agent2.sub}", principal=supervisor,
                   body={"capacity": 3, "tags": ["Ventas", "soporte técnico"]})
    assert updated.status == 200, updated.body
    assert updated.body["capacity"] == 3 and updated.body["capacity_override"] == 3
    assert updated.body["tags"] == ["soporte técnico", "ventas"]
    # Back to the brand's default
    reset = call(INBOX, "PATCH", f"/v1/agents/{agent2.sub}", principal=supervisor, body={"capacity": None, "tags": []})
    assert reset.body["capacity"] == 10 and reset.body["capacity_override"] is None and reset.body["tags"] == []
    # Another brand's user is not an agent here; agents cannot change capacities
    acme_admin = demo["admin@acme.local"]
    assert call(INBOX, "PATCH", f"/v1/agents/{acme_admin.sub}", principal=supervisor, body={"capacity": 2}).status == 404
    assert call(INBOX, "PATCH", f"/v1/agents/{agent2.sub}", principal=agent2, body={"capacity": 50}).status == 403


def test_the_demo_team_serves_every_demo_channel_account(demo):
    admin = demo["admin@demo.local"]
    teams = call(INBOX, "GET", "/v1/teams", principal=demo["agent1@demo.local"]).body["items"]
    soporte = next(t for t in teams if t["id"] == "soporte")
    assert set(soporte["members"]) == {demo["agent1@demo.local"].sub, demo["agent2@demo.local"].sub}
    accounts = {a["id"] for a in call("api/admin", "GET", "/v1/admin/channel-accounts", principal=admin,
                                       query={"limit": 100}).body["items"]}
    assert set(soporte["channel_accounts"]) == accounts and "demo-whatsapp" in accounts


def test_teams_crud_checks_members_and_accounts_of_the_brand(demo):
    supervisor = demo["supervisor@demo.local"]
    agent1, acme_admin = demo["agent1@demo.local"], demo["admin@acme.local"]
    created = call(INBOX, "POST", "/v1/teams", principal=supervisor,
                   body={"name": "Ventas", "members": [agent1.sub], "channel_accounts": ["demo-whatsapp"]})
    assert created.status == 201, created.body
    team_id = created.body["id"]
    # A member of another brand, or another brand's channel: 422 naming them
    foreign = call(INBOX, "PATCH", f"/v1/teams/{team_id}", principal=supervisor, body={"members": [acme_admin.sub]})
    assert foreign.status == 422 and foreign.body["error"]["code"] == "unknown_members"
    assert foreign.body["error"]["details"][0]["user_id"] == acme_admin.sub
    account = call(INBOX, "PATCH", f"/v1/teams/{team_id}", principal=supervisor,
                   body={"channel_accounts": ["acme-whatsapp"]})
    assert account.status == 422 and account.body["error"]["details"][0]["account_id"] == "acme-whatsapp"
    renamed = call(INBOX, "PATCH", f"/v1/teams/{team_id}", principal=supervisor, body={"name": "Ventas Norte"})
    assert renamed.body["name"] == "Ventas Norte" and renamed.body["members"] == [agent1.sub]
    # Agents read teams but do not change them; another brand does not see them
    assert call(INBOX, "DELETE", f"/v1/teams/{team_id}", principal=agent1).status == 403
    assert call(INBOX, "GET", f"/v1/teams/{team_id}", principal=acme_admin).status == 404
    assert call(INBOX, "DELETE", f"/v1/teams/{team_id}", principal=supervisor).status == 204
    assert call(INBOX, "GET", f"/v1/teams/{team_id}", principal=supervisor).status == 404


# ---------------------------------------------------------------- transactional outbox (issue 9 item 5)



def _inbox_outbox() -> Any:
    from skailan.platform.settings import get_settings
    from tests.support import OutboxWatch

    return OutboxWatch(get_settings().inbox_table)


def _make(kind: str, supervisor: Principal, agent: Principal) -> str:
    """A fresh item of `kind` to edit or delete (an agent: its item made on first need); its id."""
    if kind == "agent":
        assert call(INBOX, "PATCH", f"/v1/agents/{agent.sub}", principal=supervisor, body={}).status == 200
        return agent.sub
    if kind == "team":
        return str(call(INBOX, "POST", "/v1/teams", principal=supervisor, body={"name": "Outbox"}).body["id"])
    return str(call(INBOX, "POST", "/v1/quick-replies", principal=supervisor,
                    body={"shortcut": "outbox", "title": "Outbox", "text": "Hola"}).body["id"])


@pytest.mark.parametrize(("method", "path", "kind", "body", "status", "event"), [
    ("POST", "/v1/teams", None, {"name": "Nuevo"}, 201, "team.created"),
    ("PATCH", "/v1/teams/{id}", "team", {"name": "Otro"}, 200, "team.updated"),
    ("DELETE", "/v1/teams/{id}", "team", None, 204, "team.deleted"),
    ("POST", "/v1/quick-replies", None, {"shortcut": "tx", "title": "Tx", "text": "Hola"}, 201, "quick_reply.created"),
    ("PATCH", "/v1/quick-replies/{id}", "quick_reply", {"text": "Adiós"}, 200, "quick_reply.updated"),
    ("DELETE", "/v1/quick-replies/{id}", "quick_reply", None, 204, "quick_reply.deleted"),
    ("PATCH", "/v1/inbox/settings", None, {"assignment": {"default_capacity": 9}}, 200, "inbox.settings_updated"),
    ("PATCH", "/v1/agents/{id}", "agent", {"tags": ["outbox"]}, 200, "agent.updated"),
])
def test_a_write_and_its_event_are_one_transaction(demo, method, path, kind, body, status, event):
    from tests.support import dynamodb_writes

    supervisor = demo["supervisor@demo.local"]
    if kind:
        path = path.replace("{id}", _make(kind, supervisor, demo["agent2@demo.local"]))
    outbox = _inbox_outbox()
    with dynamodb_writes() as sent:
        reply = call(INBOX, method, path, principal=supervisor, body=body)
    assert reply.status == status, reply.body
    # The change and its outbox item: one TransactWriteItems, no write after it
    assert sent == ["TransactWriteItems"]
    events = outbox.events()
    assert [e.type for e in events] == [event]
    assert events[0].tenant_id == "demo" and events[0].actor.id == supervisor.sub


def test_a_refused_write_leaves_no_event(demo, monkeypatch):
    from skailan.conversations.inbox import quick_replies, teams
    from skailan.conversations.inbox.models import TeamIn
    from skailan.platform.auth import Caller
    from skailan.platform.errors import Conflict
    from tests.support import dynamodb_writes

    supervisor = demo["supervisor@demo.local"]
    caller = Caller(tenant_id="demo", principal_id=supervisor.sub, kind="user")
    outbox = _inbox_outbox()
    # A taken key: 409, and the transaction wrote no event either
    with dynamodb_writes() as sent, pytest.raises(Conflict) as taken:
        teams.create_team(caller, "demo", TeamIn(name="Soporte"), team_id="soporte")
    assert taken.value.code == "team_exists" and sent == ["TransactWriteItems"]
    assert outbox.types() == []
    # An edit over a version that changed meanwhile: 409 (pynamodb's version check inside the transaction)
    team_id = _make("team", supervisor, supervisor)
    stale = teams.find_team("demo", team_id)
    assert call(INBOX, "PATCH", f"/v1/teams/{team_id}", principal=supervisor, body={"name": "Antes"}).status == 200
    outbox.mark()
    monkeypatch.setattr(teams, "_load", lambda tenant_id, team_id: stale)
    changed = call(INBOX, "PATCH", f"/v1/teams/{team_id}", principal=supervisor, body={"name": "Después"})
    assert changed.status == 409 and changed.body["error"]["code"] == "concurrent_update"
    assert (current := teams.find_team("demo", team_id)) is not None and current.name == "Antes"
    assert outbox.types() == []
    # An item deleted meanwhile: 404
    reply_id = _make("quick_reply", supervisor, supervisor)
    gone = quick_replies.store.find_reply("demo", reply_id)
    assert call(INBOX, "DELETE", f"/v1/quick-replies/{reply_id}", principal=supervisor).status == 204
    outbox.mark()
    monkeypatch.setattr(quick_replies, "_load", lambda tenant_id, reply_id: gone)
    vanished = call(INBOX, "PATCH", f"/v1/quick-replies/{reply_id}", principal=supervisor, body={"text": "Tarde"})
    assert vanished.status == 404 and vanished.body["error"]["code"] == "quick_reply_not_found"
    assert quick_replies.store.find_reply("demo", reply_id) is None
    assert outbox.types() == []


def test_presence_and_the_offline_timer_are_one_transaction(demo, monkeypatch):
    from skailan.conversations.inbox import agents
    from skailan.conversations.store import timers
    from skailan.conversations.store.inbox_items import TimerItem
    from skailan.platform import outbox as platform_outbox
    from tests.support import dynamodb_writes

    agent = demo["agent2@demo.local"]
    presence(agent, "online")
    assert timers.get("demo", "offline", agent.sub) is None
    outbox = _inbox_outbox()

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a write of the timer alone")

    # The timer is never a write of its own (which could fail after the presence stood)
    monkeypatch.setattr(TimerItem, "save", refused)
    monkeypatch.setattr(TimerItem, "delete", refused)
    with dynamodb_writes() as sent:
        gone = presence(agent, "offline")
    assert gone["status"] == "offline" and sent == ["TransactWriteItems"]
    timer = timers.get("demo", "offline", agent.sub)
    assert timer is not None and timer.data["offline_since"] and timer.due_at > timer.data["offline_since"]
    assert outbox.types() == ["agent.presence_changed"]
    with dynamodb_writes() as sent:
        back = presence(agent, "online")
    assert back["status"] == "online" and sent == ["TransactWriteItems"]
    assert timers.get("demo", "offline", agent.sub) is None
    # A transaction that fails writes neither the presence nor the timer
    outbox.mark()

    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("the transaction failed")

    monkeypatch.setattr(platform_outbox, "add", broken)
    with pytest.raises(RuntimeError):
        agents.set_presence(agents.Caller(tenant_id="demo", principal_id=agent.sub, kind="user"), "offline")
    assert agents.get_agent("demo", agent.sub, consistent=True).status == "online"  # type: ignore[union-attr]
    assert timers.get("demo", "offline", agent.sub) is None and outbox.types() == []
