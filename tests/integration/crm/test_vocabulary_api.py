"""Tags, customer roles, journeys, notes and the timeline through the CRM API handler; and that a
CRM write and its domain events are one transaction (a refused write leaves no event)."""

from __future__ import annotations

import pytest

from tests.support import call

CRM = "api/crm"


def _person(principal, name, email, **extra):
    reply = call(CRM, "POST", "/v1/contacts", principal=principal, body={"name": name, "email": email, **extra})
    assert reply.status == 201, reply.body
    return reply.body


def test_tags_are_created_on_use_and_counted(demo):
    admin = demo["admin@acme.local"]
    _person(admin, "Etiqueta Uno", "t1@acme.mx", tags=["Cliente Nuevo"])
    second = _person(admin, "Etiqueta Dos", "t2@acme.mx", tags=["cliente nuevo", "Frecuente"])
    tags = {t["name"]: t["count"] for t in call(CRM, "GET", "/v1/crm/tags", principal=admin,
                                                 query={"counts": "true"}).body["items"]}
    assert tags["Cliente Nuevo"] == 2 and tags["Frecuente"] == 1
    without = call(CRM, "GET", "/v1/crm/tags", principal=admin).body["items"]
    assert all(t["count"] is None for t in without)
    # Untagging decrements; a tag still in use cannot be deleted, an unused one can
    call(CRM, "PATCH", f"/v1/contacts/{second['id']}", principal=admin, body={"tags": ["Cliente Nuevo"]})
    counts = {t["name"]: t["count"] for t in call(CRM, "GET", "/v1/crm/tags", principal=admin,
                                                   query={"counts": "true"}).body["items"]}
    assert counts["Frecuente"] == 0
    assert call(CRM, "DELETE", "/v1/crm/tags/Cliente%20Nuevo", principal=admin).status == 409
    assert call(CRM, "DELETE", "/v1/crm/tags/Frecuente", principal=admin).status == 204
    made = call(CRM, "POST", "/v1/crm/tags", principal=admin, body={"name": "Mayorista", "color": "#112233"})
    assert made.status == 201 and made.body["color"] == "#112233"
    assert call(CRM, "POST", "/v1/crm/tags", principal=admin, body={"name": "MAYORISTA"}).status == 409
    assert call(CRM, "POST", "/v1/crm/tags", principal=admin, body={"name": "a#b"}).status == 422
    assert call(CRM, "POST", "/v1/crm/tags", principal=demo["agent1@demo.local"], body={"name": "x"}).status == 403


def _tag_counts(principal):
    return {t["name"]: t["count"] for t in call(CRM, "GET", "/v1/crm/tags", principal=principal,
                                                 query={"counts": "true"}).body["items"]}


def test_renaming_a_tag_moves_its_people_off_the_request_path(demo, deliver, drained):
    from skailan.crm.store.items import FacetItem, TagItem, facet_index_pk, tags_pk

    admin, other = demo["admin@acme.local"], demo["admin@demo.local"]
    one = _person(admin, "Renombre Uno", "r1@acme.mx", tags=["Plata", "Otro"])
    two = _person(admin, "Renombre Dos", "r2@acme.mx", tags=["plata"])
    assert call(CRM, "PATCH", "/v1/crm/tags/Plata", principal=admin, body={"color": "#112233"}).status == 200
    _person(other, "Ajena", "ajena@demo.mx", tags=["Plata"])
    drained()
    # Refused: unknown tag, taken name, unknown field, null name, bad name; another brand's tag is not found
    assert call(CRM, "PATCH", "/v1/crm/tags/Nadie", principal=admin, body={"name": "X"}).status == 404
    taken = call(CRM, "PATCH", "/v1/crm/tags/Plata", principal=admin, body={"name": "OTRO"})
    assert (taken.status, taken.body["error"]["code"]) == (409, "tag_exists")
    assert call(CRM, "PATCH", "/v1/crm/tags/Plata", principal=admin, body={"name": "Oro", "x": 1}).status == 422
    assert call(CRM, "PATCH", "/v1/crm/tags/Plata", principal=admin, body={"name": None}).status == 422
    assert call(CRM, "PATCH", "/v1/crm/tags/Plata", principal=admin, body={"name": "a#b"}).status == 422
    before_other = _tag_counts(other)
    assert call(CRM, "PATCH", "/v1/crm/tags/Otro", principal=other, body={"name": "Robado"}).status == 404
    assert _tag_counts(other) == before_other and "Robado" not in _tag_counts(admin)
    # Same folded name: only the spelling changes, in place
    respelled = call(CRM, "PATCH", "/v1/crm/tags/plata", principal=admin, body={"name": "PLATA"})
    assert respelled.status == 200 and respelled.body["name"] == "PLATA" and respelled.body["color"] == "#112233"
    # A real rename: the new tag answers at once with the colour and the count carried
    renamed = call(CRM, "PATCH", "/v1/crm/tags/Plata", principal=admin, body={"name": "Plata Vieja"})
    assert renamed.status == 200, renamed.body
    assert (renamed.body["name"], renamed.body["color"], renamed.body["count"]) == ("Plata Vieja", "#112233", 2)
    counts = _tag_counts(admin)
    assert counts["Plata Vieja"] == 2 and "PLATA" not in counts
    assert call(CRM, "PATCH", "/v1/crm/tags/plata%20vieja", principal=admin, body={"name": "Y"}).status == 409
    # Meanwhile someone gets the new name while still holding the old: merged, counted once
    call(CRM, "PATCH", f"/v1/contacts/{two['id']}", principal=admin, body={"tags": ["plata", "Plata Vieja"]})
    # The segments worker moves the people
    assert deliver("skailan-local-crm-segments")["batchItemFailures"] == []
    got_one = call(CRM, "GET", f"/v1/contacts/{one['id']}", principal=admin).body
    got_two = call(CRM, "GET", f"/v1/contacts/{two['id']}", principal=admin).body
    assert got_one["tags"] == ["Plata Vieja", "Otro"] and got_two["tags"] == ["Plata Vieja"]
    assert _tag_counts(admin)["Plata Vieja"] == 2
    assert TagItem.get(tags_pk("acme"), "TAG#plata vieja").renaming_from is None
    with pytest.raises(TagItem.DoesNotExist):
        TagItem.get(tags_pk("acme"), "TAG#plata")
    assert list(FacetItem.gsi1.query(facet_index_pk("acme", "tag", "plata"))) == []
    filtered = call(CRM, "GET", "/v1/contacts", principal=admin, query={"tag": "Plata Vieja"}).body["items"]
    assert {p["id"] for p in filtered} == {one["id"], two["id"]}
    # The other brand's tag of the old name is untouched
    assert _tag_counts(other)["Plata"] == 1
    # A redelivered event changes nothing
    from skailan.crm.audiences.segments import on_event
    from skailan.platform.events import build_event

    again = build_event("skailan.crm", "acme", "tag.renamed", entity_type="tag", entity_id="plata vieja",
                        data={"from": "PLATA", "to": "Plata Vieja"})
    assert on_event(again) == {"retagged": 0, "segments": 0}
    assert _tag_counts(admin)["Plata Vieja"] == 2
    assert call(CRM, "GET", f"/v1/contacts/{one['id']}", principal=admin).body["tags"] == ["Plata Vieja", "Otro"]
    # A tag nobody holds is renamed at once (nothing to move): the new one can be deleted right away
    call(CRM, "POST", "/v1/crm/tags", principal=admin, body={"name": "Vacía", "color": "#445566"})
    assert call(CRM, "PATCH", "/v1/crm/tags/Vac%C3%ADa", principal=admin, body={"name": "Llena"}).body == {
        "name": "Llena", "color": "#445566", "count": 0}
    assert "Vacía" not in _tag_counts(admin)
    assert call(CRM, "DELETE", "/v1/crm/tags/Llena", principal=admin).status == 204


def test_customer_roles_validate_people_and_cannot_be_removed_in_use(demo):
    admin = demo["admin@demo.local"]
    role = call(CRM, "POST", "/v1/crm/customer-roles", principal=admin, body={"name": "Distribuidor"})
    assert role.status == 201
    person = _person(admin, "Con Rol", "rol@demo.co", customer_role=role.body["id"])
    assert person["customer_role"] == role.body["id"]
    unknown = call(CRM, "POST", "/v1/contacts", principal=admin,
                   body={"name": "X", "email": "rolx@demo.co", "customer_role": "nope"})
    assert unknown.status == 422 and unknown.body["error"]["details"][0]["field"] == "customer_role"
    by_role = call(CRM, "GET", "/v1/contacts", principal=admin, query={"customer_role": role.body["id"]}).body
    assert [p["id"] for p in by_role["items"]] == [person["id"]]
    assert call(CRM, "DELETE", f"/v1/crm/customer-roles/{role.body['id']}", principal=admin).status == 409
    renamed = call(CRM, "PATCH", f"/v1/crm/customer-roles/{role.body['id']}", principal=admin,
                   body={"name": "Distribuidor mayor"})
    assert renamed.body["name"] == "Distribuidor mayor"


def test_journeys_default_state_changes_events_and_timeline(demo, aws):
    admin = demo["admin@demo.local"]
    # Given a journey marked default, with ordered coloured states
    first = call(CRM, "POST", "/v1/crm/journeys", principal=admin, body={
        "name": "Ventas", "is_default": True, "show_in_menu": True,
        "states": [{"id": "prospecto", "name": "Prospecto", "color": "#aaaaaa"},
                   {"id": "negociacion", "name": "Negociación", "color": "#bbbbbb"},
                   {"id": "cliente", "name": "Cliente", "color": "#00ff00"}]})
    assert first.status == 201, first.body
    assert [s["id"] for s in first.body["states"]] == ["prospecto", "negociacion", "cliente"]
    # State ids are unique across the brand
    clash = call(CRM, "POST", "/v1/crm/journeys", principal=admin,
                 body={"name": "Otro", "states": [{"id": "cliente", "name": "Cliente"}]})
    assert clash.status == 422 and clash.body["error"]["details"][0]["field"] == "states[0].id"
    second = call(CRM, "POST", "/v1/crm/journeys", principal=admin,
                  body={"name": "Posventa", "states": [{"name": "Garantía"}]})
    assert second.status == 201 and second.body["states"][0]["id"] == "garantia"
    assert second.body["is_default"] is False
    # New people start in the default journey's first state
    person = _person(admin, "Recorrido", "recorrido@demo.co")
    assert person["journey_state"] == "prospecto"
    # A journey change is recorded in the timeline and as an event
    moved = call(CRM, "PATCH", f"/v1/contacts/{person['id']}", principal=admin, body={"journey_state": "cliente"})
    assert moved.status == 200 and moved.body["journey_state"] == "cliente"
    timeline = call(CRM, "GET", f"/v1/contacts/{person['id']}/timeline", principal=admin).body["items"]
    assert timeline[0]["kind"] == "journey_changed" and timeline[0]["summary"] == "Prospecto → Cliente"
    assert timeline[0]["ref"]["to"] == "cliente"
    bad = call(CRM, "PATCH", f"/v1/contacts/{person['id']}", principal=admin, body={"journey_state": "nada"})
    assert bad.status == 422 and bad.body["error"]["details"][0]["field"] == "journey_state"
    # Exactly one default: making the second default un-defaults the first
    call(CRM, "PATCH", f"/v1/crm/journeys/{second.body['id']}", principal=admin, body={"is_default": True})
    defaults = [j["id"] for j in call(CRM, "GET", "/v1/crm/journeys", principal=admin).body["items"] if j["is_default"]]
    assert defaults == [second.body["id"]]
    # States people are in cannot be removed
    removing = call(CRM, "PATCH", f"/v1/crm/journeys/{first.body['id']}", principal=admin,
                    body={"states": [{"id": "prospecto", "name": "Prospecto"}]})
    assert removing.status == 409 and removing.body["error"]["details"]["states"] == ["cliente"]
    assert call(CRM, "GET", "/v1/contacts", principal=admin,
                query={"journey_state": "cliente"}).body["items"][0]["id"] == person["id"]


def test_journey_change_emits_contact_journey_changed(demo, aws):
    from skailan.platform.aws import client

    admin = demo["admin@demo.local"]
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName="skailan-local-audit")["QueueUrl"]
    while sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        pass
    journey = call(CRM, "POST", "/v1/crm/journeys", principal=admin,
                   body={"name": "Evento", "states": [{"id": "ev-a", "name": "A"}, {"id": "ev-b", "name": "B"}]}).body
    person = _person(admin, "Con Evento", "evento@demo.co", journey_state="ev-a")
    call(CRM, "PATCH", f"/v1/contacts/{person['id']}", principal=admin, body={"journey_state": "ev-b"})
    import json

    types = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        types += [json.loads(m["Body"])["detail"] for m in batch]
    changed = [d for d in types if d["type"] == "contact.journey_changed"]
    assert changed and changed[-1]["data"] == {"from": "ev-a", "to": "ev-b"}
    assert changed[-1]["source"] == "skailan.crm" and changed[-1]["entity_id"] == person["id"]
    assert journey["id"]


def test_notes_and_timeline_pagination(demo):
    from skailan.crm.people.timeline import append_timeline

    admin = demo["admin@demo.local"]
    person = _person(admin, "Notas", "notas@demo.co")
    for i in range(3):
        note = call(CRM, "POST", f"/v1/contacts/{person['id']}/notes", principal=admin, body={"body": f"Nota {i}"})
        assert note.status == 201 and note.body["author"]["email"] == "admin@demo.local"
    # Another context appends an entry that happened earlier: it lands in time order
    append_timeline("demo", person["id"], "deal_won", "Venta ganada", {"type": "deal", "id": "d1"},
                    "2020-01-01T00:00:00.000Z")
    first = call(CRM, "GET", f"/v1/contacts/{person['id']}/timeline", principal=admin, query={"limit": 2}).body
    assert [e["body"] for e in first["items"]] == ["Nota 2", "Nota 1"]
    rest = call(CRM, "GET", f"/v1/contacts/{person['id']}/timeline", principal=admin,
                query={"limit": 5, "cursor": first["next_cursor"]}).body
    assert [e["kind"] for e in rest["items"]] == ["note", "deal_won"]
    notes_only = call(CRM, "GET", f"/v1/contacts/{person['id']}/timeline", principal=admin,
                      query={"kind": "deal_won"}).body["items"]
    assert [e["summary"] for e in notes_only] == ["Venta ganada"]
    assert call(CRM, "POST", f"/v1/contacts/{person['id']}/notes", principal=admin, body={"body": ""}).status == 422
    assert call(CRM, "POST", f"/v1/contacts/{person['id']}/notes", principal=demo["operator@demo.local"],
                body={"body": "x"}).status == 403


# ---------------------------------------------------------------- each write and its events: one transaction



def _fresh() -> str:
    """A spelling no earlier test used (the brands live as long as the session's tables)."""
    import uuid

    return uuid.uuid4().hex[:10]


def _created(admin, path, body, key="id"):
    reply = call(CRM, "POST", path, principal=admin, body=body)
    assert reply.status == 201, reply.body
    return reply.body[key]


def _tag(admin):
    return _created(admin, "/v1/crm/tags", {"name": f"Caja {_fresh()}"}, key="name")


def _person_id(admin):
    return _created(admin, "/v1/contacts", {"name": "Ana Ruiz", "email": f"{_fresh()}@ruiz.mx"})


def _linked(admin):
    business = _created(admin, "/v1/businesses", {"name": f"Ferretería {_fresh()}"})
    person = _person_id(admin)
    assert call(CRM, "POST", f"/v1/businesses/{business}/people", principal=admin,
                body={"person_id": person}).status in (200, 201)
    return f"/v1/businesses/{business}/people/{person}"


def _unlinked(admin):
    link = _linked(admin)
    assert call(CRM, "DELETE", link, principal=admin).status == 204
    return link


def _taken_email(admin):
    email = f"{_fresh()}@acme.mx"
    _created(admin, "/v1/contacts", {"name": "Una", "email": email})
    return email


# name → (setup(admin) → (method, path, body), status, event types the write takes)
STEPS = {
    "tag create": (lambda a: ("POST", "/v1/crm/tags", {"name": f"Caja {_fresh()}"}), 201, ["tag.created"]),
    "tag edit": (lambda a: ("PATCH", f"/v1/crm/tags/{_tag(a)}", {"color": "#112233"}), 200, ["tag.updated"]),
    "tag delete": (lambda a: ("DELETE", f"/v1/crm/tags/{_tag(a)}", None), 204, ["tag.deleted"]),
    "field create": (lambda a: ("POST", "/v1/crm/fields", {"label": f"Talla {_fresh()}", "type": "short_text"}),
                     201, ["field.created"]),
    "role edit": (lambda a: ("PATCH", "/v1/crm/customer-roles/"
                             + _created(a, "/v1/crm/customer-roles", {"name": "Aliado"}), {"name": "Aliado mayor"}),
                  200, ["customer_role.updated"]),
    "list delete": (lambda a: ("DELETE", "/v1/crm/lists/" + _created(a, "/v1/crm/lists", {"name": "Feria"}), None),
                    204, ["list.deleted"]),
    "person create": (lambda a: ("POST", "/v1/contacts", {"name": "Nueva Persona", "email": f"{_fresh()}@acme.mx",
                                                          "tags": ["Feria"]}), 201, ["contact.created"]),
    "person edit": (lambda a: ("PATCH", f"/v1/contacts/{_person_id(a)}", {"tags": ["Vip"]}), 200,
                    ["contact.updated"]),
    "person delete": (lambda a: ("DELETE", f"/v1/contacts/{_person_id(a)}", None), 204, ["contact.deleted"]),
    "note": (lambda a: ("POST", f"/v1/contacts/{_person_id(a)}/notes", {"body": "Llamar el lunes"}), 201,
             ["contact.note_added"]),
    "business edit": (lambda a: ("PATCH", "/v1/businesses/" + _created(a, "/v1/businesses", {"name": "Luna SA"}),
                                 {"name": "Luna SAS"}), 200, ["business.updated"]),
    "business unlink": (lambda a: ("DELETE", _linked(a), None), 204, ["business.person_unlinked"]),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_a_write_and_its_events_are_one_transaction(demo, step):
    from skailan.platform.settings import get_settings
    from tests.support import OutboxWatch, dynamodb_writes

    admin = demo["admin@acme.local"]
    setup, status, types = STEPS[step]
    method, path, body = setup(admin)
    watch = OutboxWatch(get_settings().contacts_table)
    with dynamodb_writes() as sent:
        reply = call(CRM, method, path, principal=admin, body=body)
    assert reply.status == status, reply.body
    assert sent == ["TransactWriteItems"]
    assert watch.types() == sorted(types)


# name → (setup(admin) → (method, path, body), the refusal's status and code)
REFUSED = {
    "taken tag": (lambda a: ("POST", "/v1/crm/tags", {"name": _tag(a).upper()}), 409, "tag_exists"),
    "taken e-mail": (lambda a: ("POST", "/v1/contacts", {"name": "Otra", "email": _taken_email(a)}), 409,
                     "contact_exists"),
    "vanished link": (lambda a: ("DELETE", _unlinked(a), None), 404, "business_person_not_found"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_refused_write_leaves_no_event(demo, case):
    from skailan.platform.settings import get_settings
    from tests.support import OutboxWatch

    admin = demo["admin@acme.local"]
    setup, status, code = REFUSED[case]
    method, path, body = setup(admin)
    watch = OutboxWatch(get_settings().contacts_table)
    reply = call(CRM, method, path, principal=admin, body=body)
    assert reply.status == status and reply.body["error"]["code"] == code, reply.body
    assert watch.types() == []
