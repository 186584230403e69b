"""Merge, duplicate suggestions and businesses through the CRM API handler."""

from __future__ import annotations

from tests.support import call

CRM = "api/crm"
SEGMENTS = "skailan-local-crm-segments"


def _person(principal, name, **body):
    reply = call(CRM, "POST", "/v1/contacts", principal=principal, body={"name": name, **body})
    assert reply.status == 201, reply.body
    return reply.body


def test_duplicates_are_suggested_by_folded_name(demo, deliver, drained):
    admin = demo["admin@demo.local"]
    a = _person(admin, "José Martínez", phone="3151112233")
    b = _person(admin, "jose  MARTINEZ", email="jm@demo.co")
    _person(admin, "Único Nombre Raro", email="unico@demo.co")
    deliver(SEGMENTS)
    groups = call(CRM, "GET", "/v1/contacts/duplicates", principal=admin).body["items"]
    mine = [g for g in groups if g["key"] == "jose martinez"]
    assert len(mine) == 1 and set(mine[0]["person_ids"]) == {a["id"], b["id"]}
    assert all(g["key"] != "unico nombre raro" for g in groups)
    # After a merge the group dissolves
    assert call(CRM, "POST", f"/v1/contacts/{a['id']}/merge", principal=admin, body={"other_id": b["id"]}).status == 200
    deliver(SEGMENTS)
    groups = call(CRM, "GET", "/v1/contacts/duplicates", principal=admin).body["items"]
    assert all(g["key"] != "jose martinez" for g in groups)


def test_merge_moves_identities_lists_notes_values_and_tags(demo, deliver, drained):
    from skailan.crm.people.identities import resolve_or_create

    admin = demo["admin@demo.local"]
    call(CRM, "POST", "/v1/crm/fields", principal=admin, body={"key": "ciudad", "label": "Ciudad", "type": "short_text"})
    call(CRM, "POST", "/v1/crm/fields", principal=admin, body={"key": "edad", "label": "Edad", "type": "number"})
    keep = _person(admin, "Laura Gómez", phone="3160000001", tags=["vip"], custom={"ciudad": "Cali"})
    other = _person(admin, "Laura G.", email="laura@demo.co", tags=["feria", "VIP"],
                    custom={"ciudad": "Bogotá", "edad": 31})
    telegram = resolve_or_create("demo", "telegram", "5550001", email="laura@demo.co")
    assert telegram.person_id == other["id"]
    call(CRM, "POST", f"/v1/contacts/{other['id']}/notes", principal=admin, body={"body": "Pidió catálogo"})
    the_list = call(CRM, "POST", "/v1/crm/lists", principal=admin, body={"name": "Feria"}).body
    call(CRM, "POST", f"/v1/crm/lists/{the_list['id']}/members", principal=admin, body={"person_ids": [other["id"]]})
    business = call(CRM, "POST", "/v1/businesses", principal=admin, body={"name": "Textiles Gómez"}).body
    call(CRM, "POST", f"/v1/businesses/{business['id']}/people", principal=admin,
         body={"person_id": other["id"], "role": "Compras"})

    # Agents cannot merge
    assert call(CRM, "POST", f"/v1/contacts/{keep['id']}/merge", principal=demo["agent1@demo.local"],
                body={"other_id": other["id"]}).status == 403
    merged = call(CRM, "POST", f"/v1/contacts/{keep['id']}/merge", principal=admin, body={"other_id": other["id"]})
    assert merged.status == 200, merged.body
    person = merged.body
    # Kept person wins on conflicts; the rest is added
    assert person["custom"] == {"ciudad": "Cali", "edad": 31}
    assert sorted(person["tags"]) == ["feria", "vip"]
    assert person["phone"] == "+573160000001" and person["email"] == "laura@demo.co"
    assert {i["kind"] for i in person["identities"]} == {"phone", "email", "telegram"}
    # The identities now resolve to the kept person
    assert resolve_or_create("demo", "telegram", "5550001").person_id == keep["id"]
    found = call(CRM, "GET", "/v1/contacts", principal=admin, query={"q": "laura@demo.co"}).body["items"]
    assert [p["id"] for p in found] == [keep["id"]]
    # The other is marked merged and hidden from lists; writes to it are refused
    gone = call(CRM, "GET", f"/v1/contacts/{other['id']}", principal=admin).body
    assert gone["merged_into"] == keep["id"]
    assert call(CRM, "PATCH", f"/v1/contacts/{other['id']}", principal=admin, body={"name": "x"}).status == 409
    assert other["id"] not in [p["id"] for p in call(CRM, "GET", "/v1/contacts", principal=admin,
                                                     query={"limit": 100}).body["items"]]
    # Notes, list membership and business links moved
    timeline = call(CRM, "GET", f"/v1/contacts/{keep['id']}/timeline", principal=admin).body["items"]
    assert {"note", "merged", "list_added"} <= {e["kind"] for e in timeline}
    members = call(CRM, "GET", f"/v1/crm/lists/{the_list['id']}/members", principal=admin).body["items"]
    assert [p["id"] for p in members] == [keep["id"]]
    assert call(CRM, "GET", f"/v1/crm/lists/{the_list['id']}", principal=admin).body["count"] == 1
    links = call(CRM, "GET", f"/v1/contacts/{keep['id']}/businesses", principal=admin).body["items"]
    assert [(b["business_id"], b["role"]) for b in links] == [(business["id"], "Compras")]
    # Tag counts stay exact ("vip" was on both)
    counts = {t["name"].lower(): t["count"] for t in call(CRM, "GET", "/v1/crm/tags", principal=admin,
                                                           query={"counts": "true"}).body["items"]}
    assert counts["vip"] == 1 and counts["feria"] == 1
    # Merging again is harmless; merging into itself is refused
    assert call(CRM, "POST", f"/v1/contacts/{keep['id']}/merge", principal=admin,
                body={"other_id": other["id"]}).status == 200
    assert call(CRM, "POST", f"/v1/contacts/{keep['id']}/merge", principal=admin,
                body={"other_id": keep["id"]}).status == 422
    deliver(SEGMENTS)


def test_businesses_crud_and_people_with_roles(demo):
    admin = demo["admin@demo.local"]
    made = call(CRM, "POST", "/v1/businesses", principal=admin,
                body={"name": "Café Andino SAS", "phone": "6015551234", "email": "Ventas@Andino.co"})
    assert made.status == 201, made.body
    biz = made.body
    assert biz["phone"] == "+576015551234" and biz["email"] == "ventas@andino.co"
    assert call(CRM, "POST", "/v1/businesses", principal=admin, body={"name": "X", "phone": "1"}).status == 422
    found = call(CRM, "GET", "/v1/businesses", principal=admin, query={"q": "cafe and"}).body["items"]
    assert [b["id"] for b in found] == [biz["id"]]
    person = _person(admin, "Empleada", email="empleada@andino.co")
    linked = call(CRM, "POST", f"/v1/businesses/{biz['id']}/people", principal=admin,
                  body={"person_id": person["id"], "role": "Gerente"})
    assert linked.status == 201 and linked.body["role"] == "Gerente"
    assert call(CRM, "POST", f"/v1/businesses/{biz['id']}/people", principal=admin,
                body={"person_id": "01NOBODY"}).status == 404
    people = call(CRM, "GET", f"/v1/businesses/{biz['id']}/people", principal=admin).body["items"]
    assert [(p["person_id"], p["role"], p["person"]["name"]) for p in people] == [(person["id"], "Gerente", "Empleada")]
    renamed = call(CRM, "PATCH", f"/v1/businesses/{biz['id']}", principal=admin, body={"name": "Café Andino"})
    assert renamed.body["name"] == "Café Andino"
    assert call(CRM, "DELETE", f"/v1/businesses/{biz['id']}/people/{person['id']}", principal=admin).status == 204
    assert call(CRM, "GET", f"/v1/businesses/{biz['id']}/people", principal=admin).body["items"] == []
    assert call(CRM, "DELETE", f"/v1/businesses/{biz['id']}", principal=demo["agent1@demo.local"]).status == 403
    assert call(CRM, "DELETE", f"/v1/businesses/{biz['id']}", principal=admin).status == 204
    assert call(CRM, "GET", f"/v1/businesses/{biz['id']}", principal=admin).status == 404
    assert call(CRM, "GET", "/v1/businesses", principal=admin, query={"q": "cafe"}).body["items"] == []
