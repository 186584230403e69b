"""Issue 11 item 9 / SPEC §1: only super-admins see every conversation of the brand. Admins and
supervisors see the unassigned ones, their own, those of no team and those of the teams they
belong to; another team's assigned conversations are hidden from them (404, not listed, not
counted), exactly like a colleague's from an agent."""

from __future__ import annotations

from tests.integration.inbox.conftest import CONVERSATIONS, INBOX, action, customer_writes
from tests.support import call


def _listed(principal) -> set[str]:
    seen: set[str] = set()
    cursor = None
    while True:
        query = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        reply = call(CONVERSATIONS, "GET", "/v1/conversations", principal=principal, query=query)
        assert reply.status == 200, reply.body
        seen |= {i["id"] for i in reply.body["items"]}
        cursor = reply.body.get("next_cursor")
        if not cursor:
            return seen


def _detail(principal, conversation_id: str) -> int:
    return call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}", principal=principal).status


def test_only_super_admins_see_every_team_s_conversations(demo):
    superadmin, admin, supervisor = demo["superadmin@demo.local"], demo["admin@demo.local"], demo["supervisor@demo.local"]
    agent1, agent2 = demo["agent1@demo.local"], demo["agent2@demo.local"]
    team = call(INBOX, "POST", "/v1/teams", principal=superadmin,
                body={"name": "Cobranzas SA", "members": [agent2.sub, supervisor.sub]})
    assert team.status == 201, team.body
    cobranzas = team.body["id"]

    in_cobranzas = customer_writes("Quiero pagar mi factura", wa_id="573101007701", name="Pago Uno", message_id="wamid.SA1")
    no_team = customer_writes("Una consulta general", wa_id="573101007702", name="Sin Equipo", message_id="wamid.SA2")
    in_soporte = customer_writes("Falla técnica", wa_id="573101007703", name="Soporte Tres", message_id="wamid.SA3")
    moved = action(superadmin, in_cobranzas, "transfer", {"user_id": agent2.sub, "team_id": cobranzas})
    assert moved.status == 200 and moved.body["assignee"] == agent2.sub and moved.body["team_id"] == cobranzas, moved.body
    assert action(superadmin, no_team, "transfer", {"user_id": agent1.sub}).status == 200
    moved = action(superadmin, in_soporte, "transfer", {"user_id": agent1.sub, "team_id": "soporte"})
    assert moved.status == 200 and moved.body["team_id"] == "soporte", moved.body

    # the super-admin: everything, listed and opened
    everything = _listed(superadmin)
    assert {in_cobranzas, no_team, in_soporte} <= everything
    assert all(_detail(superadmin, c) == 200 for c in (in_cobranzas, no_team, in_soporte))
    # an admin in no team: the conversations of no team, not the teams'
    seen = _listed(admin)
    assert no_team in seen and in_cobranzas not in seen and in_soporte not in seen
    assert _detail(admin, no_team) == 200
    assert _detail(admin, in_cobranzas) == 404 and _detail(admin, in_soporte) == 404
    hidden = action(admin, in_soporte, "priority", {"priority": "high"})
    assert hidden.status == 404 and hidden.body["error"]["code"] == "conversation_not_found"
    # a supervisor of Cobranzas: that team's, not Soporte's
    seen = _listed(supervisor)
    assert {in_cobranzas, no_team} <= seen and in_soporte not in seen
    assert _detail(supervisor, in_cobranzas) == 200 and _detail(supervisor, in_soporte) == 404
    # filters by agent keep the rule: the admin asking for agent1's gets only what they may see
    by_agent1 = call(CONVERSATIONS, "GET", "/v1/conversations", principal=admin,
                     query={"assignee": agent1.sub, "limit": 100}).body["items"]
    assert no_team in {i["id"] for i in by_agent1} and in_soporte not in {i["id"] for i in by_agent1}
    # agents: their own and unassigned ones, as before
    assert in_soporte in _listed(agent1) and in_cobranzas not in _listed(agent1)
    # tab counts follow the same rule
    counts = [call(INBOX, "GET", "/v1/inbox/counts", principal=p).body for p in (superadmin, admin)]
    assert counts[0]["all"] >= counts[1]["all"] + 2, counts

    # an admin who joins Soporte sees its conversations from then on
    joined = call(INBOX, "PATCH", "/v1/teams/soporte", principal=superadmin,
                  body={"members": [agent1.sub, agent2.sub, admin.sub]})
    assert joined.status == 200, joined.body
    from skailan.conversations.store import state

    state._MANAGER_TEAMS.clear()  # the few seconds' cache of a warm container
    assert _detail(admin, in_soporte) == 200 and in_soporte in _listed(admin)
    restored = call(INBOX, "PATCH", "/v1/teams/soporte", principal=superadmin,
                    body={"members": [agent1.sub, agent2.sub]})
    assert restored.status == 200
    state._MANAGER_TEAMS.clear()
