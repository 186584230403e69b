"""Issue 11 item 9: conversations and people filtered by the person's owner (`owner_id`, a user id
or `me`), strict query parameters still applying, another brand's owner finding nothing."""

from __future__ import annotations

from tests.integration.inbox.conftest import CONVERSATIONS, customer_writes
from tests.support import call

CRM = "api/crm"


def _ids(reply) -> set[str]:
    assert reply.status == 200, reply.body
    return {i["id"] for i in reply.body["items"]}


def _person_of(principal, conversation_id: str) -> str:
    got = call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}", principal=principal)
    assert got.status == 200, got.body
    return got.body["contact"]["person_id"]


def test_conversations_and_people_filter_by_owner(demo):
    admin, agent1, agent2 = demo["admin@demo.local"], demo["agent1@demo.local"], demo["agent2@demo.local"]
    superadmin, acme = demo["superadmin@demo.local"], demo["admin@acme.local"]
    owned = customer_writes("Hola, soy de agent1", wa_id="573101008801", name="Dueña Uno", message_id="wamid.OW1")
    other = customer_writes("Hola, soy de agent2", wa_id="573101008802", name="Dueño Dos", message_id="wamid.OW2")
    nobody = customer_writes("Hola, sin dueño", wa_id="573101008803", name="Sin Dueño", message_id="wamid.OW3")
    person1, person2 = _person_of(superadmin, owned), _person_of(superadmin, other)
    for person, owner in ((person1, agent1), (person2, agent2)):
        patched = call(CRM, "PATCH", f"/v1/contacts/{person}", principal=admin, body={"owner_id": owner.sub})
        assert patched.status == 200, patched.body

    by_agent1 = _ids(call(CONVERSATIONS, "GET", "/v1/conversations", principal=superadmin,
                          query={"owner_id": agent1.sub, "limit": 100}))
    assert owned in by_agent1 and other not in by_agent1 and nobody not in by_agent1
    # `me`: the caller's own people; combined with other filters
    mine = _ids(call(CONVERSATIONS, "GET", "/v1/conversations", principal=agent2,
                     query={"owner_id": "me", "status": "open,pending", "limit": 100}))
    assert other in mine and owned not in mine
    # search honours the owner too
    found = _ids(call(CONVERSATIONS, "GET", "/v1/conversations", principal=superadmin,
                      query={"owner_id": agent1.sub, "q": "Dueño Dos"}))
    assert other not in found
    # an owner with nobody, or another brand's user: nothing (never another brand's data)
    assert _ids(call(CONVERSATIONS, "GET", "/v1/conversations", principal=superadmin,
                     query={"owner_id": acme.sub})) == set()
    assert _ids(call(CONVERSATIONS, "GET", "/v1/conversations", principal=acme,
                     query={"owner_id": agent1.sub})) == set()
    # bad input: a clear 4xx naming the parameter; strict query parameters still apply
    bad = call(CONVERSATIONS, "GET", "/v1/conversations", principal=superadmin, query={"owner_id": "no válido!"})
    assert bad.status == 422 and bad.body["error"]["details"][0]["field"] == "owner_id"
    unknown = call(CONVERSATIONS, "GET", "/v1/conversations", principal=superadmin, query={"owner": agent1.sub})
    assert unknown.status == 400 and "owner" in str(unknown.body["error"])

    people = call(CRM, "GET", "/v1/contacts", principal=agent1, query={"owner_id": "me"})
    assert person1 in _ids(people) and person2 not in _ids(people)
    assert person2 in _ids(call(CRM, "GET", "/v1/contacts", principal=admin, query={"owner_id": agent2.sub}))
    assert _ids(call(CRM, "GET", "/v1/contacts", principal=acme, query={"owner_id": agent1.sub})) == set()
    assert call(CRM, "GET", "/v1/contacts", principal=admin, query={"owner": agent1.sub}).status == 400


def test_an_owner_with_too_many_people_is_refused_with_a_hint(demo, monkeypatch):
    from skailan.conversations.query import listing as views

    admin, superadmin, agent1 = demo["admin@demo.local"], demo["superadmin@demo.local"], demo["agent1@demo.local"]
    # agent1 owns at least one person whatever ran before (tests may run apart on parallel workers)
    owned = customer_writes("Hola, soy de agent1 también", wa_id="573101008804", name="Dueña Tres",
                            message_id="wamid.OW4")
    patched = call(CRM, "PATCH", f"/v1/contacts/{_person_of(superadmin, owned)}", principal=admin,
                   body={"owner_id": agent1.sub})
    assert patched.status == 200, patched.body
    monkeypatch.setattr(views, "MAX_OWNER_PEOPLE", 0)
    reply = call(CONVERSATIONS, "GET", "/v1/conversations", principal=superadmin, query={"owner_id": agent1.sub})
    assert reply.status == 422 and reply.body["error"]["code"] == "owner_too_broad"
    assert " / " in reply.body["error"]["message"]
