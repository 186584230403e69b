"""People, identities and search through the CRM API handler, against moto built from template.yaml."""

from __future__ import annotations

from tests.support import call

CRM = "api/crm"


def _create(principal, **body):
    return call(CRM, "POST", "/v1/contacts", principal=principal, body=body)


def test_create_normalises_phone_and_email_and_reads_back(demo):
    admin = demo["admin@demo.local"]
    # Given a national Colombian number and a mixed-case e-mail
    reply = _create(admin, name="  María  José Pérez ", phone="300 123 4567", email=" Maria.Perez@Example.COM ",
                    tags=["VIP", "vip ", "Bogotá"])
    # Then the person is stored in canonical form
    assert reply.status == 201, reply.body
    person = reply.body
    assert person["name"] == "María José Pérez"
    assert person["phone"] == "+573001234567"
    assert person["email"] == "maria.perez@example.com"
    assert person["tags"] == ["VIP", "Bogotá"]
    assert {"kind": "phone", "value": "+573001234567"} in person["identities"]
    got = call(CRM, "GET", f"/v1/contacts/{person['id']}", principal=admin)
    assert got.status == 200 and got.body == person


def test_name_plus_phone_or_email_is_required_and_errors_name_the_field(demo):
    admin = demo["admin@demo.local"]
    neither = _create(admin, name="Sin datos")
    assert neither.status == 422
    assert {d["field"] for d in neither.body["error"]["details"]} == {"phone", "email"}
    bad_phone = _create(admin, name="X", phone="12")
    assert bad_phone.status == 422 and bad_phone.body["error"]["details"][0]["field"] == "phone"
    bad_email = _create(admin, name="X", email="nobody@")
    assert bad_email.status == 422 and bad_email.body["error"]["details"][0]["field"] == "email"
    no_name = _create(admin, phone="3001112233")
    assert no_name.status == 422 and no_name.body["error"]["details"][0]["field"] == "name"
    unknown_custom = _create(admin, name="X", email="x1@demo.co", custom={"shoe_size": 42})
    assert unknown_custom.status == 422
    assert unknown_custom.body["error"]["details"][0]["field"] == "custom.shoe_size"
    sneaky = _create(admin, name="X", email="x2@demo.co", tenant_id="acme")
    assert sneaky.status == 422 and sneaky.body["error"]["details"][0]["field"] == "tenant_id"
    # Nothing was half-written: the e-mails are still free
    assert _create(admin, name="X", email="x1@demo.co").status == 201


def test_same_phone_or_email_twice_is_a_conflict_naming_the_field(demo):
    admin = demo["admin@demo.local"]
    first = _create(admin, name="Ana", phone="+57 310 555 0001")
    assert first.status == 201
    again = _create(admin, name="Otra Ana", phone="3105550001", email="otra.ana@demo.co")
    assert again.status == 409
    detail = again.body["error"]["details"][0]
    assert detail["field"] == "phone" and detail["person_id"] == first.body["id"]
    # The e-mail of the refused request was not claimed
    assert _create(admin, name="Otra Ana", email="otra.ana@demo.co").status == 201


def test_mexican_legacy_mobile_prefix_finds_the_same_person(demo):
    acme = demo["admin@acme.local"]
    created = _create(acme, name="Luis", phone="+52 1 55 1234 5678")
    assert created.status == 201 and created.body["phone"] == "+525512345678"
    found = call(CRM, "GET", "/v1/contacts", principal=acme, query={"q": "55 1234 5678"})
    assert [p["id"] for p in found.body["items"]] == [created.body["id"]]


def test_search_by_name_prefix_accent_insensitive_phone_and_email(demo):
    admin = demo["admin@demo.local"]
    person = _create(admin, name="Ñoño Gutiérrez", phone="3209998877", email="nono@demo.co").body
    for q in ("ñoño", "nono g", "GUTIERREZ", "gutié", "+57 320 999 8877", "3209998877", "NONO@demo.co"):
        reply = call(CRM, "GET", "/v1/contacts", principal=admin, query={"q": q})
        assert reply.status == 200
        assert person["id"] in [p["id"] for p in reply.body["items"]], q
    assert call(CRM, "GET", "/v1/contacts", principal=admin, query={"q": "zzz-nadie"}).body["items"] == []


def test_update_changes_phone_identity_and_frees_the_old_one(demo):
    admin = demo["admin@demo.local"]
    person = _create(admin, name="Cambia", phone="3001230001").body
    patched = call(CRM, "PATCH", f"/v1/contacts/{person['id']}", principal=admin,
                   body={"phone": "3001230002", "name": "Cambia Ya"})
    assert patched.status == 200, patched.body
    assert patched.body["phone"] == "+573001230002" and patched.body["name"] == "Cambia Ya"
    # The old number is free again; the new one is taken
    assert _create(admin, name="Nuevo", phone="3001230001").status == 201
    assert _create(admin, name="Nuevo", phone="3001230002").status == 409
    # Name keys follow the rename
    found = call(CRM, "GET", "/v1/contacts", principal=admin, query={"q": "cambia ya"}).body["items"]
    assert [p["id"] for p in found] == [person["id"]]
    # Clearing the only contact datum is refused
    assert call(CRM, "PATCH", f"/v1/contacts/{person['id']}", principal=admin, body={"phone": None}).status == 422


def test_soft_delete_hides_the_person_and_releases_identities(demo):
    admin = demo["admin@demo.local"]
    person = _create(admin, name="Borrar", email="borrar@demo.co", tags=["temporal"]).body
    # Agents cannot delete
    assert call(CRM, "DELETE", f"/v1/contacts/{person['id']}", principal=demo["agent1@demo.local"]).status == 403
    assert call(CRM, "DELETE", f"/v1/contacts/{person['id']}", principal=admin).status == 204
    assert call(CRM, "GET", f"/v1/contacts/{person['id']}", principal=admin).status == 404
    assert call(CRM, "GET", "/v1/contacts", principal=admin, query={"q": "borrar"}).body["items"] == []
    assert call(CRM, "GET", "/v1/contacts", principal=admin, query={"tag": "temporal"}).body["items"] == []
    assert call(CRM, "DELETE", f"/v1/contacts/{person['id']}", principal=admin).status == 404
    assert _create(admin, name="Borrar otra vez", email="borrar@demo.co").status == 201


def test_permissions_agent_creates_operator_only_reads(demo):
    agent, operator = demo["agent1@demo.local"], demo["operator@demo.local"]
    created = _create(agent, name="Del agente", phone="3115550101")
    assert created.status == 201
    assert _create(operator, name="Del operador", phone="3115550102").status == 403
    assert call(CRM, "GET", f"/v1/contacts/{created.body['id']}", principal=operator).status == 200
    assert call(CRM, "PATCH", f"/v1/contacts/{created.body['id']}", principal=operator,
                body={"name": "x"}).status == 403


def test_filters_by_tag_and_created_range_and_pagination(demo):
    admin = demo["admin@demo.local"]
    ids = [_create(admin, name=f"Filtro {i}", email=f"filtro{i}@demo.co", tags=["filtro"]).body["id"]
           for i in range(5)]
    seen, cursor = [], None
    while True:
        page = call(CRM, "GET", "/v1/contacts", principal=admin,
                    query={"tag": "FILTRO", "limit": 2} | ({"cursor": cursor} if cursor else {})).body
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))  # newest first
    future = call(CRM, "GET", "/v1/contacts", principal=admin, query={"tag": "filtro", "created_from": "2999-01-01"})
    assert future.body["items"] == []
    today = call(CRM, "GET", "/v1/contacts", principal=admin,
                 query={"updated_from": "2000-01-01", "limit": 100}).body["items"]
    assert set(ids) <= {p["id"] for p in today}


def test_custom_fields_validated_and_stored(demo):
    admin = demo["admin@demo.local"]
    made = call(CRM, "POST", "/v1/crm/fields", principal=admin,
                body={"label": "Ciudad de origen", "type": "dropdown", "options": ["Bogotá", "Medellín"]})
    assert made.status == 201 and made.body["key"] == "ciudad_de_origen"
    call(CRM, "POST", "/v1/crm/fields", principal=admin, body={"key": "hijos", "label": "Hijos", "type": "number"})
    person = _create(admin, name="Con campos", email="campos@demo.co",
                     custom={"ciudad_de_origen": "bogota", "hijos": "2"})
    assert person.status == 201, person.body
    assert person.body["custom"] == {"ciudad_de_origen": "Bogotá", "hijos": 2}
    wrong = call(CRM, "PATCH", f"/v1/contacts/{person.body['id']}", principal=admin,
                 body={"custom": {"hijos": "muchos"}})
    assert wrong.status == 422 and wrong.body["error"]["details"][0]["field"] == "custom.hijos"
    cleared = call(CRM, "PATCH", f"/v1/contacts/{person.body['id']}", principal=admin,
                   body={"custom": {"hijos": None}})
    assert cleared.body["custom"] == {"ciudad_de_origen": "Bogotá"}
    # Definitions are validated by crm.fields (options vs type) and replaced with PUT
    no_options = call(CRM, "POST", "/v1/crm/fields", principal=admin, body={"label": "Color", "type": "dropdown"})
    assert no_options.status == 422 and no_options.body["error"]["details"][0]["field"] == "options"
    replaced = call(CRM, "PUT", "/v1/crm/fields/hijos", principal=admin,
                    body={"label": "Número de hijos", "type": "number", "required": False, "order": 3})
    assert replaced.status == 200 and replaced.body["label"] == "Número de hijos"
    assert call(CRM, "PUT", "/v1/crm/fields/hijos", principal=admin,
                body={"label": "Hijos", "type": "short_text"}).status == 409
    listed = [f["key"] for f in call(CRM, "GET", "/v1/crm/fields", principal=admin).body["items"]]
    assert listed == ["ciudad_de_origen", "hijos"]
    # Agents cannot define fields
    assert call(CRM, "POST", "/v1/crm/fields", principal=demo["agent1@demo.local"],
                body={"label": "X", "type": "short_text"}).status == 403


def test_identities_can_be_added_and_listed(demo):
    admin = demo["admin@demo.local"]
    person = _create(admin, name="Multi", email="multi@demo.co").body
    added = call(CRM, "POST", f"/v1/contacts/{person['id']}/identities", principal=admin,
                 body={"kind": "telegram", "value": "99887766"})
    assert added.status == 201
    phone = call(CRM, "POST", f"/v1/contacts/{person['id']}/identities", principal=admin,
                 body={"kind": "phone", "value": "3014445566"})
    assert phone.status == 201
    listed = call(CRM, "GET", f"/v1/contacts/{person['id']}/identities", principal=admin).body["items"]
    assert {(i["kind"], i["value"]) for i in listed} == {
        ("email", "multi@demo.co"), ("telegram", "99887766"), ("phone", "+573014445566")}
    assert call(CRM, "GET", f"/v1/contacts/{person['id']}", principal=admin).body["phone"] == "+573014445566"
    bad = call(CRM, "POST", f"/v1/contacts/{person['id']}/identities", principal=admin,
               body={"kind": "phone", "value": "abc"})
    assert bad.status in (409, 422)
    other = _create(admin, name="Otro", email="otro.multi@demo.co").body
    taken = call(CRM, "POST", f"/v1/contacts/{other['id']}/identities", principal=admin,
                 body={"kind": "telegram", "value": "99887766"})
    assert taken.status == 409 and taken.body["error"]["details"][0]["field"] == "identities"


def test_one_identity_can_be_removed_and_is_then_free(demo):
    admin = demo["admin@demo.local"]
    person = _create(admin, name="Quitar", email="quitar@demo.co", phone="3014440000").body
    base = f"/v1/contacts/{person['id']}/identities"
    call(CRM, "POST", base, principal=admin, body={"kind": "telegram", "value": "55443322"})
    # The phone, addressed as typed (URL-encoded +), goes with the person's phone field
    removed = call(CRM, "DELETE", f"{base}/phone/%2B573014440000", principal=admin)
    assert removed.status == 200, removed.body
    assert {(i["kind"], i["value"]) for i in removed.body["items"]} == {("email", "quitar@demo.co"),
                                                                         ("telegram", "55443322")}
    got = call(CRM, "GET", f"/v1/contacts/{person['id']}", principal=admin).body
    assert got["phone"] is None
    assert call(CRM, "GET", "/v1/contacts", principal=admin, query={"q": "3014440000"}).body["items"] == []
    # ...and another person can now claim it
    assert _create(admin, name="Nuevo dueño", phone="301 444 0000").status == 201
    # The last phone-or-e-mail and the last identity stay; unknown ones are 404, bad kinds 422
    last_contact = call(CRM, "DELETE", f"{base}/email/quitar@demo.co", principal=admin)
    assert last_contact.status == 422 and last_contact.body["error"]["details"][0]["error"] == "phone_or_email_required"
    assert call(CRM, "DELETE", f"{base}/telegram/55443322", principal=admin).status == 200
    assert call(CRM, "DELETE", f"{base}/telegram/55443322", principal=admin).status == 404
    assert call(CRM, "DELETE", f"{base}/fax/1", principal=admin).status == 422
    assert call(CRM, "DELETE", f"{base}/email/otra@demo.co", principal=admin).status == 404
    assert call(CRM, "DELETE", f"{base}/email/quitar@demo.co", principal=demo["operator@demo.local"]).status == 403
    from skailan.crm.people.identities import resolve_or_create

    telegram_only = resolve_or_create("demo", "telegram", "66554433", display_name="Solo Telegram").person_id
    last = call(CRM, "DELETE", f"/v1/contacts/{telegram_only}/identities/telegram/66554433", principal=admin)
    assert last.status == 422 and last.body["error"]["details"][0]["error"] == "last_identity"


def test_api_keys_reach_contacts_through_ext_with_their_scopes(demo):
    from tests.support import FakeContext, handler_of, sample_event

    admin = demo["admin@demo.local"]
    key = call("api/admin", "POST", "/v1/admin/api-keys", principal=admin,
               body={"name": "ERP", "permissions": ["contacts:view"]})
    assert key.status == 201
    authorizer = sample_event("ApiKeyAuthorizerFunction", "request")
    authorizer["headers"] = {"x-api-key": key.body["secret"]}
    context = handler_of("auth/api_key_authorizer")(authorizer, FakeContext())["context"]
    person = _create(admin, name="Por API", email="por.api@demo.co").body
    listed = call(CRM, "GET", "/ext/v1/contacts", api_key_context=context, query={"q": "por.api@demo.co"})
    assert listed.status == 200 and [p["id"] for p in listed.body["items"]] == [person["id"]]
    assert call(CRM, "GET", f"/ext/v1/contacts/{person['id']}", api_key_context=context).status == 200
    # The key's scope is view: no writes; and settings routes refuse API keys altogether
    assert call(CRM, "POST", "/ext/v1/contacts", api_key_context=context,
                body={"name": "X", "email": "x.api@demo.co"}).status == 403
    assert call(CRM, "GET", "/v1/crm/fields", api_key_context=context).status == 403
