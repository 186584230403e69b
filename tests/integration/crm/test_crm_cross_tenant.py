"""Another brand's ids are 404 on every CRM people route (the acme admin against demo's ids)."""

from __future__ import annotations

import pytest

from tests.support import call

CRM = "api/crm"


@pytest.fixture(scope="module")
def demo_ids(demo):
    admin = demo["admin@demo.local"]

    def made(path, body):
        reply = call(CRM, "POST", path, principal=admin, body=body)
        assert reply.status in (201, 202), (path, reply.body)
        return reply.body

    person = made("/v1/contacts", {"name": "Solo Demo", "phone": "3189990000", "tags": ["demo-solo"]})
    other = made("/v1/contacts", {"name": "Otra Demo", "email": "otra.demo@demo.co"})
    made("/v1/crm/fields", {"key": "solo_demo", "label": "Solo demo", "type": "short_text"})
    role = made("/v1/crm/customer-roles", {"name": "Rol demo"})
    journey = made("/v1/crm/journeys", {"name": "Demo", "states": [{"id": "demo-estado", "name": "Estado"}]})
    the_list = made("/v1/crm/lists", {"name": "Lista demo"})
    segment = made("/v1/crm/segments", {"name": "Seg demo",
                                        "rule": {"all": [{"field": "tags", "op": "has_tag", "value": "demo-solo"}]}})
    business = made("/v1/businesses", {"name": "Empresa Demo"})
    export = made("/v1/contacts/exports", {"tag": "demo-solo"})
    return {"person": person["id"], "other": other["id"], "role": role["id"], "journey": journey["id"],
            "list": the_list["id"], "segment": segment["id"], "business": business["id"], "export": export["id"]}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/contacts/{person}", None),
        ("PATCH", "/v1/contacts/{person}", {"name": "x"}),
        ("DELETE", "/v1/contacts/{person}", None),
        ("GET", "/v1/contacts/{person}/identities", None),
        ("POST", "/v1/contacts/{person}/identities", {"kind": "telegram", "value": "1"}),
        ("DELETE", "/v1/contacts/{person}/identities/email/solo%40demo.co", None),
        ("POST", "/v1/contacts/{person}/notes", {"body": "x"}),
        ("GET", "/v1/contacts/{person}/timeline", None),
        ("GET", "/v1/contacts/{person}/businesses", None),
        ("GET", "/v1/contacts/{person}/lists", None),
        ("POST", "/v1/contacts/{person}/merge", {"other_id": "{other}"}),
        ("GET", "/v1/contacts/exports/{export}", None),
        ("PUT", "/v1/crm/fields/solo_demo", {"label": "x", "type": "short_text"}),
        ("DELETE", "/v1/crm/fields/solo_demo", None),
        ("PATCH", "/v1/crm/tags/demo-solo", {"color": "#000000"}),
        ("DELETE", "/v1/crm/tags/demo-solo", None),
        ("PATCH", "/v1/crm/customer-roles/{role}", {"name": "x"}),
        ("DELETE", "/v1/crm/customer-roles/{role}", None),
        ("GET", "/v1/crm/journeys/{journey}", None),
        ("PATCH", "/v1/crm/journeys/{journey}", {"name": "x"}),
        ("DELETE", "/v1/crm/journeys/{journey}", None),
        ("GET", "/v1/crm/lists/{list}", None),
        ("PATCH", "/v1/crm/lists/{list}", {"name": "x"}),
        ("DELETE", "/v1/crm/lists/{list}", None),
        ("GET", "/v1/crm/lists/{list}/members", None),
        ("POST", "/v1/crm/lists/{list}/members", {"person_ids": ["{person}"]}),
        ("POST", "/v1/crm/lists/{list}/members/remove", {"person_ids": ["{person}"]}),
        ("GET", "/v1/crm/segments/{segment}", None),
        ("PATCH", "/v1/crm/segments/{segment}", {"name": "x"}),
        ("DELETE", "/v1/crm/segments/{segment}", None),
        ("GET", "/v1/crm/segments/{segment}/members", None),
        ("GET", "/v1/businesses/{business}", None),
        ("PATCH", "/v1/businesses/{business}", {"name": "x"}),
        ("DELETE", "/v1/businesses/{business}", None),
        ("GET", "/v1/businesses/{business}/people", None),
        ("POST", "/v1/businesses/{business}/people", {"person_id": "{person}"}),
        ("DELETE", "/v1/businesses/{business}/people/{person}", None),
    ],
)
def test_another_brands_ids_are_not_found(demo, demo_ids, method, path, body):
    import json

    demo_admin, acme_admin = demo["admin@demo.local"], demo["admin@acme.local"]
    concrete = path.format(**demo_ids)
    payload = json.loads(json.dumps(body).replace("{person}", demo_ids["person"]).replace(
        "{other}", demo_ids["other"])) if body is not None else None
    # When the acme admin uses demo's ids
    reply = call(CRM, method, concrete, principal=acme_admin, body=payload)
    # Then nothing of demo is revealed or changed
    assert reply.status == 404, (concrete, reply.body)
    person = call(CRM, "GET", f"/v1/contacts/{demo_ids['person']}", principal=demo_admin)
    assert person.status == 200 and person.body["name"] == "Solo Demo"
    assert call(CRM, "GET", f"/v1/crm/lists/{demo_ids['list']}", principal=demo_admin).status == 200


def test_demo_people_referenced_from_acme_resources_are_not_found(demo, demo_ids):
    acme = demo["admin@acme.local"]
    mine = call(CRM, "POST", "/v1/contacts", principal=acme, body={"name": "De Acme", "email": "de@acme.mx"}).body
    merge = call(CRM, "POST", f"/v1/contacts/{mine['id']}/merge", principal=acme, body={"other_id": demo_ids["person"]})
    assert merge.status == 404
    acme_list = call(CRM, "POST", "/v1/crm/lists", principal=acme, body={"name": "Acme"}).body
    added = call(CRM, "POST", f"/v1/crm/lists/{acme_list['id']}/members", principal=acme,
                 body={"person_ids": [demo_ids["person"]]})
    assert added.body == {"changed": 0, "unchanged": 0, "not_found": [demo_ids["person"]]}
    biz = call(CRM, "POST", "/v1/businesses", principal=acme, body={"name": "Acme SA"}).body
    assert call(CRM, "POST", f"/v1/businesses/{biz['id']}/people", principal=acme,
                body={"person_id": demo_ids["person"]}).status == 404
    assert call(CRM, "GET", "/v1/contacts", principal=acme, query={"q": "3189990000"}).body["items"] == []
    assert call(CRM, "GET", "/v1/contacts", principal=acme, query={"list_id": demo_ids["list"]}).body["items"] == []
    stolen = call(CRM, "GET", "/v1/contacts", principal=demo["admin@demo.local"], query={"limit": 1}).body
    if stolen["next_cursor"]:
        assert call(CRM, "GET", "/v1/contacts", principal=acme,
                    query={"cursor": stolen["next_cursor"]}).status == 400
