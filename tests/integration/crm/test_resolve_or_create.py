"""`resolve_or_create`: the one function the channels call to find (or make) the person behind a sender."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.support import call

CRM = "api/crm"


def test_whatsapp_sender_creates_once_then_resolves(demo):
    from skailan.crm.people.identities import resolve_or_create

    first = resolve_or_create("demo", "whatsapp", "573001112200", display_name="Camila")
    assert first.created is True and first.name == "Camila"
    again = resolve_or_create("demo", "whatsapp", "573001112200", display_name="Otro nombre")
    assert (again.person_id, again.created) == (first.person_id, False)
    # The wa_id is a phone: the person is found by it, and holds both identities
    person = call(CRM, "GET", f"/v1/contacts/{first.person_id}", principal=demo["admin@demo.local"]).body
    assert person["phone"] == "+573001112200"
    assert {i["kind"] for i in person["identities"]} == {"phone", "whatsapp"}


def test_a_known_phone_gets_the_channel_identity_attached(demo):
    from skailan.crm.people.identities import resolve_or_create

    admin = demo["admin@demo.local"]
    existing = call(CRM, "POST", "/v1/contacts", principal=admin,
                    body={"name": "Ya existía", "phone": "3002223344"}).body
    # A Mexican-style legacy prefix does not matter for Colombia; a wa_id is digits with the country code
    resolved = resolve_or_create("demo", "whatsapp", "573002223344", display_name="WhatsApp name")
    assert (resolved.person_id, resolved.created) == (existing["id"], False)
    by_email = resolve_or_create("demo", "telegram", "123456789", email="ya.existia@demo.co")
    assert by_email.created is True  # nobody had that e-mail
    linked = resolve_or_create("demo", "messenger", "PSID-1", phone="+57 300 222 3344")
    assert linked.person_id == existing["id"]
    kinds = {i["kind"] for i in call(CRM, "GET", f"/v1/contacts/{existing['id']}", principal=admin).body["identities"]}
    assert kinds == {"phone", "whatsapp", "messenger"}


def test_mexican_wa_id_with_legacy_1_matches_the_stored_phone(demo):
    from skailan.crm.people.identities import resolve_or_create

    acme = demo["admin@acme.local"]
    existing = call(CRM, "POST", "/v1/contacts", principal=acme, body={"name": "Pepe", "phone": "55 8765 4321"}).body
    resolved = resolve_or_create("acme", "whatsapp", "5215587654321")
    assert resolved.person_id == existing["id"] and resolved.created is False


def test_same_identity_in_another_brand_is_another_person(demo):
    from skailan.crm.people.identities import resolve_or_create

    demo_person = resolve_or_create("demo", "telegram", "777000111", display_name="Tg")
    acme_person = resolve_or_create("acme", "telegram", "777000111", display_name="Tg")
    assert demo_person.created and acme_person.created
    assert demo_person.person_id != acme_person.person_id


def test_concurrent_first_messages_yield_one_person(demo, serialized_dynamodb):
    from skailan.crm.people.identities import resolve_or_create

    barrier = threading.Barrier(6)

    def first_message(_: int):
        barrier.wait()
        return resolve_or_create("demo", "whatsapp", "573009998800", display_name="Carrera")

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(first_message, range(6)))
    assert len({r.person_id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    found = call(CRM, "GET", "/v1/contacts", principal=demo["admin@demo.local"], query={"q": "+573009998800"})
    assert [p["id"] for p in found.body["items"]] == [results[0].person_id]


def _separate_container(index: int):
    """A fresh copy of the CRM handler module: one Lambda container serves one request at a time,
    so concurrent requests run in different containers (and resolver instances)."""
    import importlib.util

    from tests.support import ROOT

    spec = importlib.util.spec_from_file_location(f"crm_container_{index}", ROOT / "functions/api/crm/app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handler


def test_concurrent_api_creates_of_one_phone_yield_one_person(demo, serialized_dynamodb):
    from tests.support import FakeContext, Reply, http_event

    admin = demo["admin@demo.local"]
    containers = [_separate_container(i) for i in range(4)]
    barrier = threading.Barrier(4)

    def create(i: int):
        event = http_event("POST", "/v1/contacts", principal=admin, body={"name": f"Doble {i}", "phone": "3017770000"})
        barrier.wait()
        result = containers[i](event, FakeContext())
        return Reply(status=result["statusCode"], body=result.get("body"), headers={})

    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = list(pool.map(create, range(4)))
    assert sorted(r.status for r in replies) == [201, 409, 409, 409]
    found = call(CRM, "GET", "/v1/contacts", principal=admin, query={"q": "3017770000"}).body["items"]
    assert len(found) == 1
