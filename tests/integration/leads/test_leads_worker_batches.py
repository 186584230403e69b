"""The leads worker's per-event cost: CRM people events mirror their people in batches (the
people, their lists and their leads read together, the changed leads written 100 per
transaction), never reading anything per person of the brand; the search mirrors a person the
worker has not reached yet."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.leads.conftest import CRM, LEADS, new_person
from tests.support import call


@pytest.fixture
def aws_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every AWS request by (service, operation): pynamodb and boto3 both go through here."""
    from botocore.client import BaseClient

    calls: list[tuple[str, str]] = []
    original = BaseClient._make_api_call

    def counting(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        calls.append((self.meta.service_model.service_name, operation_name))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counting)
    return calls


def _crm_event(type_: str, entity_id: str | None, **data: Any) -> Any:
    from skailan.platform.events import DomainEvent

    return DomainEvent(tenant_id="demo", source="skailan.crm", type=type_, entity_type="contact",
                       entity_id=entity_id, data=data)


def _lead(person_id: str) -> Any:
    from skailan.leads import store

    return store.get_lead("demo", person_id, consistent=True)


def _dynamodb(calls: list[tuple[str, str]]) -> list[str]:
    return [op for service, op in calls if service == "dynamodb"]


def test_an_import_batch_is_mirrored_in_a_few_requests_with_names_and_lists(demo, deliver, aws_calls):
    from skailan.leads import worker

    admin = demo["admin@demo.local"]
    lists = [call(CRM, "POST", "/v1/crm/lists", principal=admin, body={"name": f"Lote {n}"}).body["id"]
             for n in ("B", "A")]
    people = [new_person(admin, f"Lote Persona {n}") for n in range(60)]
    for list_id in lists:
        added = call(CRM, "POST", f"/v1/crm/lists/{list_id}/members", principal=admin, body={"person_ids": people[:10]})
        assert added.status < 300, added.body
    deliver()
    renamed = people[5]
    assert call(CRM, "PATCH", f"/v1/contacts/{renamed}", principal=admin, body={"name": "Lote Renombrada"}).status == 200
    gone = people[6]
    assert call(CRM, "DELETE", f"/v1/contacts/{gone}", principal=admin).status == 204
    aws_calls.clear()
    result = worker.on_event(_crm_event("contact.imported", None, created=[], updated=people[:50]))
    made = _dynamodb(aws_calls)
    # 50 people: the settings, the people, the brand's lists, their memberships, the leads, one
    # write of the changed lead and one delete — not ~6 requests per person as before.
    assert len(made) <= 10, made
    assert made.count("TransactWriteItems") + made.count("PutItem") == 1, made
    assert "Scan" not in made
    assert result[renamed] == "kept" and result[gone] == "absent"
    assert _lead(renamed).name == "Lote Renombrada"
    assert _lead(gone) is None
    # the lists, ordered by name (the "lists" display field), only on the people in them
    assert _lead(people[0]).list_ids == [lists[1], lists[0]]
    assert _lead(people[20]).list_ids == []


def test_an_unchanged_person_writes_nothing_and_lead_status_events_are_skipped(demo, deliver, aws_calls):
    from skailan.leads import worker

    admin = demo["admin@demo.local"]
    person = new_person(admin, "Sin Cambios")
    deliver()
    before = _lead(person).updated_at
    aws_calls.clear()
    assert worker.on_event(_crm_event("contact.updated", person, changed=["name"])) == {person: "kept"}
    made = _dynamodb(aws_calls)
    assert not {"PutItem", "TransactWriteItems", "UpdateItem"} & set(made), made
    assert _lead(person).updated_at == before
    aws_calls.clear()
    assert worker.on_event(_crm_event("contact.updated", person, changed=["lead_status"])) == {}
    assert _dynamodb(aws_calls) == []


def test_a_lead_changed_between_the_batch_read_and_the_write_is_redone_from_a_fresh_read(demo, deliver):
    from skailan.leads import store
    from skailan.platform.clock import iso

    admin = demo["admin@demo.local"]
    a, b = new_person(admin, "Carrera Uno"), new_person(admin, "Carrera Dos")
    deliver()
    stale = store.batch_leads("demo", [a, b])
    # a note's state lands on `a` meanwhile (a newer version than the one read)
    store.save_mirror("demo", a, {"owner_id": "someone"}, iso())
    fields = {p: {"name": f"{stale[p].name} (nuevo)", "in_flow": True} for p in (a, b)}
    saved = store.save_mirrors("demo", stale, fields, iso())
    assert saved[a].name == "Carrera Uno (nuevo)" and saved[b].name == "Carrera Dos (nuevo)"
    assert _lead(a).name == "Carrera Uno (nuevo)" and _lead(a).owner_id == "someone"  # nothing lost
    assert _lead(b).name == "Carrera Dos (nuevo)"


def test_a_deleted_list_leaves_only_the_leads_that_were_in_it(demo, deliver):
    from skailan.leads import worker

    admin = demo["admin@demo.local"]
    list_id = call(CRM, "POST", "/v1/crm/lists", principal=admin, body={"name": "Se Borra"}).body["id"]
    inside, outside = new_person(admin, "Lista Dentro"), new_person(admin, "Lista Fuera")
    call(CRM, "POST", f"/v1/crm/lists/{list_id}/members", principal=admin, body={"person_ids": [inside]})
    deliver()
    assert _lead(inside).list_ids == [list_id]
    outside_at = _lead(outside).updated_at
    assert call(CRM, "DELETE", f"/v1/crm/lists/{list_id}", principal=admin).status == 204
    result = worker.on_event(_crm_event("list.deleted", list_id, name="Se Borra"))
    assert result == {inside: "kept"}
    assert _lead(inside).list_ids == []
    assert _lead(outside).updated_at == outside_at


def test_search_finds_a_person_the_worker_has_not_mirrored_yet(demo, deliver):
    admin, operator = demo["admin@demo.local"], demo["operator@demo.local"]
    deliver()
    person = new_person(admin, "Recien Creada Zeta")  # no deliver(): the worker has not run
    assert _lead(person) is None
    found = call(LEADS, "GET", "/v1/lead-flow/leads", principal=operator, query={"q": "Recien Creada Z"})
    assert found.status == 200, found.body
    assert [i["person"]["id"] for i in found.body["items"]] == [person]
    assert found.body["items"][0]["lead_status"] == "none"
    assert _lead(person) is not None and _lead(person).in_flow
    # another brand's search does not see (or mirror) demo's person
    other = call(LEADS, "GET", "/v1/lead-flow/leads", principal=demo["admin@acme.local"], query={"q": "Recien Creada Z"})
    assert other.status == 200 and other.body["items"] == []
    from skailan.leads import store

    assert store.get_lead("acme", person) is None
    deliver()  # the worker's own pass later finds the lead current
    assert _lead(person).name == "Recien Creada Zeta"


def test_search_mirrors_on_demand_but_keeps_the_flow_s_lists(demo, deliver):
    admin, operator = demo["admin@demo.local"], demo["operator@demo.local"]
    list_id = call(CRM, "POST", "/v1/crm/lists", principal=admin, body={"name": "Solo Flujo"}).body["id"]
    settings = call(LEADS, "GET", "/v1/lead-flow/settings", principal=admin).body
    body = {k: settings[k] for k in ("display_fields", "reserve_roles")}
    assert call(LEADS, "PUT", "/v1/lead-flow/settings", principal=admin, body={**body, "list_ids": [list_id]}).status == 200
    try:
        deliver()
        person = new_person(admin, "Fuera Del Flujo Omega")
        found = call(LEADS, "GET", "/v1/lead-flow/leads", principal=operator, query={"q": "Fuera Del Flujo O"})
        assert found.status == 200 and found.body["items"] == []
        assert _lead(person) is not None and not _lead(person).in_flow  # mirrored, just not in the flow
    finally:
        call(LEADS, "PUT", "/v1/lead-flow/settings", principal=admin, body={**body, "list_ids": []})
        deliver()


def test_lists_of_people_agree_with_each_person_s_lists_whatever_the_path(demo, monkeypatch):
    from skailan.crm.audiences import lists as crm_lists

    admin = demo["admin@demo.local"]
    made = [call(CRM, "POST", "/v1/crm/lists", principal=admin, body={"name": f"Orden {n}"}).body["id"]
            for n in ("c", "A", "b")]
    people = [new_person(admin, f"Listas Persona {n}") for n in range(4)]
    for n, list_id in enumerate(made):
        call(CRM, "POST", f"/v1/crm/lists/{list_id}/members", principal=admin, body={"person_ids": people[n:]})
    call(CRM, "DELETE", f"/v1/crm/lists/{made[2]}", principal=admin)  # its memberships may linger a while
    expected = {p: [i.id for i in crm_lists.person_lists("demo", p)] for p in people}
    assert expected[people[3]] == [made[1], made[0]]  # by name: "Orden A", "Orden c"
    assert crm_lists.lists_of_people("demo", people[:1]) == {people[0]: expected[people[0]]}  # one person
    assert crm_lists.lists_of_people("demo", people) == expected  # BatchGets of the memberships
    # a brand with many lists: one Query per person costs fewer requests than the BatchGets
    queried: list[str] = []
    original = crm_lists._list_facets
    monkeypatch.setattr(crm_lists, "_list_facets", lambda t, p: queried.append(p) or original(t, p))
    many = [*made, *(f"01ZZZZZZZZZZZZZZZZZZZZZ{n:03d}" for n in range(100))]
    held = crm_lists._memberships_in("demo", people, many)
    assert queried == people
    assert all(set(expected[p]) <= set(held[p]) <= set(made) for p in people)
