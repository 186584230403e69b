"""Dynamic segments kept current by the segments worker; lists; exports through the exports worker."""

from __future__ import annotations

import csv
import io

from tests.support import call

CRM = "api/crm"
PREVIEW = "api/segment_preview"
SEGMENTS = "skailan-local-crm-segments"
EXPORTS = "skailan-local-crm-exports"


def _person(principal, name, email, **extra):
    reply = call(CRM, "POST", "/v1/contacts", principal=principal, body={"name": name, "email": email, **extra})
    assert reply.status == 201, reply.body
    return reply.body


def _members(principal, segment_id):
    reply = call(CRM, "GET", f"/v1/crm/segments/{segment_id}/members", principal=principal, query={"limit": 100})
    assert reply.status == 200, reply.body
    return {p["id"] for p in reply.body["items"]}


def test_segment_membership_follows_people_changes(demo, deliver, drained):
    admin = demo["admin@acme.local"]
    # Given people in acme, some tagged "oro"
    gold = _person(admin, "Oro Uno", "oro1@acme.mx", tags=["oro"])
    plain = _person(admin, "Plano Dos", "plano2@acme.mx")
    # When a segment "tags has oro" is created and the worker backfills it
    rule = {"all": [{"field": "tags", "op": "has_tag", "value": "ORO"}]}
    preview = call(PREVIEW, "POST", "/v1/crm/segments/preview", principal=admin, body={"rule": rule})
    assert preview.status == 200 and preview.body["count"] == 1 and preview.body["scanned"] >= 2
    created = call(CRM, "POST", "/v1/crm/segments", principal=admin, body={"name": "Oro", "rule": rule})
    assert created.status == 201 and created.body["status"] == "computing"
    segment_id = created.body["id"]
    assert deliver(SEGMENTS)["batchItemFailures"] == []
    # Then the members listing is a Query on the stored memberships
    assert _members(admin, segment_id) == {gold["id"]}
    got = call(CRM, "GET", f"/v1/crm/segments/{segment_id}", principal=admin).body
    assert (got["status"], got["count"]) == ("ready", 1)

    # When a person gains the tag and another loses it, the worker moves them
    call(CRM, "PATCH", f"/v1/contacts/{plain['id']}", principal=admin, body={"tags": ["oro"]})
    call(CRM, "PATCH", f"/v1/contacts/{gold['id']}", principal=admin, body={"tags": []})
    deliver(SEGMENTS)
    assert _members(admin, segment_id) == {plain["id"]}
    # Redelivering the same events changes nothing (count stays exact)
    assert call(CRM, "GET", f"/v1/crm/segments/{segment_id}", principal=admin).body["count"] == 1
    # A deleted person leaves the segment
    call(CRM, "DELETE", f"/v1/contacts/{plain['id']}", principal=admin)
    deliver(SEGMENTS)
    assert _members(admin, segment_id) == set()
    assert call(CRM, "GET", f"/v1/crm/segments/{segment_id}", principal=admin).body["count"] == 0
    # Filtering the people list by segment uses the same memberships
    assert call(CRM, "GET", "/v1/contacts", principal=admin, query={"segment_id": segment_id}).body["items"] == []


def test_malformed_rules_name_the_bad_node(demo):
    admin = demo["admin@demo.local"]
    bad = call(CRM, "POST", "/v1/crm/segments", principal=admin,
               body={"name": "Malo", "rule": {"all": [{"field": "tags", "op": "gt", "value": 3},
                                                      {"field": "custom.nope", "op": "eq", "value": "x"}]}})
    assert bad.status == 422
    fields = {d["field"] for d in bad.body["error"]["details"]}
    assert fields == {"rule.all[0].op", "rule.all[1].field"}
    assert call(PREVIEW, "POST", "/v1/crm/segments/preview", principal=admin, body={"rule": {"none": []}}).status == 422
    assert call(CRM, "POST", "/v1/crm/segments", principal=demo["operator@demo.local"],
                body={"name": "x", "rule": {"all": [{"field": "tags", "op": "has_tag", "value": "a"}]}}).status == 403


def test_segment_rule_change_and_delete(demo, deliver, drained):
    admin = demo["admin@demo.local"]
    a = _person(admin, "Regla Cambia", "regla@demo.co", tags=["regla-a"])
    seg = call(CRM, "POST", "/v1/crm/segments", principal=admin,
               body={"name": "R", "rule": {"all": [{"field": "tags", "op": "has_tag", "value": "regla-a"}]}}).body
    deliver(SEGMENTS)
    assert _members(admin, seg["id"]) == {a["id"]}
    changed = call(CRM, "PATCH", f"/v1/crm/segments/{seg['id']}", principal=admin,
                   body={"rule": {"all": [{"field": "tags", "op": "has_tag", "value": "regla-b"}]}})
    assert changed.status == 200 and changed.body["status"] == "computing"
    deliver(SEGMENTS)
    assert _members(admin, seg["id"]) == set()
    assert call(CRM, "DELETE", f"/v1/crm/segments/{seg['id']}", principal=admin).status == 204
    deliver(SEGMENTS)
    assert call(CRM, "GET", f"/v1/crm/segments/{seg['id']}", principal=admin).status == 404


def test_static_lists_bulk_add_remove_and_counts(demo, deliver, drained):
    admin = demo["admin@demo.local"]
    people = [_person(admin, f"Lista {i}", f"lista{i}@demo.co") for i in range(3)]
    made = call(CRM, "POST", "/v1/crm/lists", principal=admin, body={"name": "Feria 2026"})
    assert made.status == 201
    list_id = made.body["id"]
    added = call(CRM, "POST", f"/v1/crm/lists/{list_id}/members", principal=admin,
                 body={"person_ids": [p["id"] for p in people] + ["01NOBODY"]})
    assert added.status == 200 and added.body == {"changed": 3, "unchanged": 0, "not_found": ["01NOBODY"]}
    again = call(CRM, "POST", f"/v1/crm/lists/{list_id}/members", principal=admin,
                 body={"person_ids": [people[0]["id"]]})
    assert again.body["changed"] == 0 and again.body["unchanged"] == 1
    assert call(CRM, "GET", f"/v1/crm/lists/{list_id}", principal=admin).body["count"] == 3
    members = call(CRM, "GET", f"/v1/crm/lists/{list_id}/members", principal=admin).body["items"]
    assert {p["id"] for p in members} == {p["id"] for p in people}
    other = call(CRM, "POST", "/v1/crm/lists", principal=admin, body={"name": "Clientes VIP"}).body
    call(CRM, "POST", f"/v1/crm/lists/{other['id']}/members", principal=admin, body={"person_ids": [people[0]["id"]]})
    # The person panel reads a person's lists in one call, sorted by name
    mine = call(CRM, "GET", f"/v1/contacts/{people[0]['id']}/lists", principal=admin)
    assert mine.status == 200 and [(x["id"], x["name"]) for x in mine.body["items"]] == [
        (other["id"], "Clientes VIP"), (list_id, "Feria 2026")]
    assert call(CRM, "GET", "/v1/contacts/01NOBODY/lists", principal=admin).status == 404
    removed = call(CRM, "POST", f"/v1/crm/lists/{list_id}/members/remove", principal=admin,
                   body={"person_ids": [people[1]["id"]]})
    assert removed.body["changed"] == 1
    assert call(CRM, "GET", f"/v1/crm/lists/{list_id}", principal=admin).body["count"] == 2
    assert [x["id"] for x in call(CRM, "GET", f"/v1/contacts/{people[1]['id']}/lists",
                                  principal=admin).body["items"]] == []
    by_list = call(CRM, "GET", "/v1/contacts", principal=admin, query={"list_id": list_id}).body["items"]
    assert {p["id"] for p in by_list} == {people[0]["id"], people[2]["id"]}
    # The timeline records the list changes
    kinds = [e["kind"] for e in call(CRM, "GET", f"/v1/contacts/{people[1]['id']}/timeline",
                                     principal=admin).body["items"]]
    assert kinds == ["list_removed", "list_added"]
    # Deleting a person drops their membership and the count
    call(CRM, "DELETE", f"/v1/contacts/{people[2]['id']}", principal=admin)
    assert call(CRM, "GET", f"/v1/crm/lists/{list_id}", principal=admin).body["count"] == 1
    # Deleting the list: the worker drops the remaining memberships
    assert call(CRM, "DELETE", f"/v1/crm/lists/{list_id}", principal=admin).status == 204
    deliver(SEGMENTS)
    assert call(CRM, "GET", "/v1/contacts", principal=admin, query={"list_id": list_id}).body["items"] == []
    # Operators cannot change lists
    assert call(CRM, "POST", "/v1/crm/lists", principal=demo["operator@demo.local"], body={"name": "x"}).status == 403


def test_export_writes_a_csv_downloadable_by_presigned_url(demo, deliver, drained, aws):
    import urllib.parse

    from skailan.platform.aws import client

    admin = demo["admin@demo.local"]
    _person(admin, "=Fórmula Peligrosa", "export1@demo.co", tags=["exportar"], phone="3005550101")
    _person(admin, "Exporta Dos", "export2@demo.co", tags=["exportar"])
    requested = call(CRM, "POST", "/v1/contacts/exports", principal=admin, body={"tag": "exportar"})
    assert requested.status == 202
    export_id = requested.body["id"]
    assert call(CRM, "GET", f"/v1/contacts/exports/{export_id}", principal=admin).body["status"] == "pending"
    assert deliver(EXPORTS) == {"batchItemFailures": [], "delivered": 1}
    done = call(CRM, "GET", f"/v1/contacts/exports/{export_id}", principal=admin).body
    assert done["status"] == "completed" and done["rows"] == 2
    url = urllib.parse.urlparse(done["download_url"])
    assert "Signature" in url.query or "X-Amz-Signature" in url.query
    bucket = aws["EXPORTS_BUCKET"]
    body = client("s3").get_object(Bucket=bucket, Key=f"exports/demo/{export_id}.csv")["Body"].read().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["email"] for r in rows} == {"export1@demo.co", "export2@demo.co"}
    dangerous = next(r for r in rows if r["email"] == "export1@demo.co")
    assert dangerous["name"] == "'=Fórmula Peligrosa" and dangerous["phone"] == "+573005550101"
    assert call(CRM, "GET", f"/v1/contacts/exports/{export_id}", principal=demo["admin@acme.local"]).status == 404
    assert call(CRM, "POST", "/v1/contacts/exports", principal=demo["operator@demo.local"], body={}).status == 403


def test_an_export_of_my_people_names_the_caller_as_owner(demo, deliver, drained):
    admin = demo["admin@demo.local"]
    mine = _person(admin, "Mía Exportable", "mia-export@demo.co", tags=["mias"])
    _person(admin, "Ajena Exportable", "ajena-export@demo.co", tags=["mias"])
    assert call(CRM, "PATCH", f"/v1/contacts/{mine['id']}", principal=admin,
                body={"owner_id": admin.sub}).status == 200
    requested = call(CRM, "POST", "/v1/contacts/exports", principal=admin, body={"tag": "mias", "owner_id": "me"})
    assert requested.status == 202
    deliver(EXPORTS)
    done = call(CRM, "GET", f"/v1/contacts/exports/{requested.body['id']}", principal=admin).body
    assert done["status"] == "completed" and done["rows"] == 1  # mine only: "me" became the caller


def test_imported_people_join_dynamic_segments(demo, deliver, drained, aws):
    from skailan.crm.events import build
    from skailan.platform import outbox
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    admin = demo["admin@acme.local"]
    # Given a ready segment of people tagged "importado"
    rule = {"all": [{"field": "tags", "op": "has_tag", "value": "importado"}]}
    segment_id = call(CRM, "POST", "/v1/crm/segments", principal=admin, body={"name": "Importados", "rule": rule}).body["id"]
    deliver(SEGMENTS)
    # And a person whose own change events never reached the worker (imports write in bulk)
    person = _person(admin, "Importada Uno", "importada1@acme.mx", tags=["importado"])
    sqs = client("sqs")
    sqs.purge_queue(QueueUrl=sqs.get_queue_url(QueueName=SEGMENTS)["QueueUrl"])
    assert _members(admin, segment_id) == set()
    # When the import publishes its batch event
    outbox.write([build("acme", "contact.imported", entity_type="contact_import", entity_id="imp-1",
                        data={"import_id": "imp-1", "created": [person["id"]], "updated": []})],
                 get_settings().contacts_table)
    # Then the rule routes it to the segments worker, which places the person
    assert deliver(SEGMENTS)["delivered"] >= 1
    assert _members(admin, segment_id) == {person["id"]}


def _message_from(person_id: str, at: str, message_id: str) -> None:
    """What the conversations context publishes when a customer's message is stored."""
    from skailan.conversations import events as ev
    from skailan.platform.events import publish

    publish([ev.build("acme", ev.MESSAGE_RECEIVED, key=message_id, entity_type="conversation", entity_id="c1",
                      occurred_at=at, data={"conversation_id": "c1", "message_id": message_id,
                                            "channel": "whatsapp", "person_id": person_id, "type": "text"})])


def test_a_customer_message_sets_last_interaction_and_moves_segments(demo, deliver, drained):
    from skailan.platform.clock import iso

    admin = demo["admin@acme.local"]
    writer = _person(admin, "Escribe Hoy", "escribe@acme.mx")
    quiet = _person(admin, "Callado", "callado@acme.mx")
    rule = {"all": [{"field": "last_interaction_at", "op": "within_last_days", "value": 7}]}
    segment_id = call(CRM, "POST", "/v1/crm/segments", principal=admin, body={"name": "Activos", "rule": rule}).body["id"]
    deliver(SEGMENTS)
    assert _members(admin, segment_id) == set()
    # When the person writes on WhatsApp, the CRM records the interaction and the segment follows
    now = iso()
    _message_from(writer["id"], now, "m-1")
    assert deliver(SEGMENTS)["batchItemFailures"] == []
    got = call(CRM, "GET", f"/v1/contacts/{writer['id']}", principal=admin).body
    assert got["last_interaction_at"] == now
    assert _members(admin, segment_id) == {writer["id"]}
    # An older message delivered late never moves it back; a person can still be edited afterwards
    _message_from(writer["id"], "2020-01-01T00:00:00.000Z", "m-0")
    deliver(SEGMENTS)
    assert call(CRM, "GET", f"/v1/contacts/{writer['id']}", principal=admin).body["last_interaction_at"] == now
    assert call(CRM, "PATCH", f"/v1/contacts/{writer['id']}", principal=admin, body={"tags": ["activo"]}).status == 200
    assert call(CRM, "GET", f"/v1/contacts/{writer['id']}", principal=admin).body["last_interaction_at"] == now
    # A message to a person merged away lands on the kept person
    assert call(CRM, "POST", f"/v1/contacts/{quiet['id']}/merge", principal=admin,
                body={"other_id": writer["id"]}).status == 200
    later = iso()
    _message_from(writer["id"], later, "m-2")
    deliver(SEGMENTS)
    assert call(CRM, "GET", f"/v1/contacts/{quiet['id']}", principal=admin).body["last_interaction_at"] == later
    assert _members(admin, segment_id) == {quiet["id"]}


def test_deleting_a_custom_field_removes_its_values_from_people(demo, deliver, drained):
    admin, other_brand = demo["admin@acme.local"], demo["admin@demo.local"]
    for principal in (admin, other_brand):
        assert call(CRM, "POST", "/v1/crm/fields", principal=principal,
                    body={"key": "talla", "label": "Talla", "type": "short_text"}).status == 201
    sized = _person(admin, "Con Talla", "talla@acme.mx", custom={"talla": "M"})
    kept = _person(other_brand, "Otra Marca", "talla@demo.co", custom={"talla": "L"})
    assert call(CRM, "DELETE", "/v1/crm/fields/talla", principal=admin).status == 204
    assert deliver(SEGMENTS)["batchItemFailures"] == []
    assert call(CRM, "GET", f"/v1/contacts/{sized['id']}", principal=admin).body["custom"] == {}
    # the other brand's field and values are untouched
    assert call(CRM, "GET", f"/v1/contacts/{kept['id']}", principal=other_brand).body["custom"] == {"talla": "L"}
    # re-created with another type, the key starts clean
    assert call(CRM, "POST", "/v1/crm/fields", principal=admin,
                body={"key": "talla", "label": "Talla", "type": "number"}).status == 201
    assert call(CRM, "PATCH", f"/v1/contacts/{sized['id']}", principal=admin,
                body={"custom": {"talla": 42}}).body["custom"] == {"talla": 42}


def test_relative_date_segments_are_recomputed_after_midnight(demo, deliver, drained):
    from datetime import timedelta

    from skailan.crm.store.items import FacetItem, PersonItem, SegmentItem, person_pk, segments_pk
    from skailan.platform.clock import iso, utcnow
    from tests.support import FakeContext, handler_of, sample_event

    admin = demo["admin@acme.local"]
    person = _person(admin, "Reciente", "reciente@acme.mx")
    rule = {"all": [{"field": "last_interaction_at", "op": "within_last_days", "value": 7}]}
    relative = call(CRM, "POST", "/v1/crm/segments", principal=admin, body={"name": "7 días", "rule": rule}).body
    fixed = call(CRM, "POST", "/v1/crm/segments", principal=admin,
                 body={"name": "Fijo", "rule": {"all": [{"field": "tags", "op": "has_tag", "value": "x"}]}}).body
    stored = SegmentItem.get(segments_pk("acme"), "SEG#" + relative["id"])
    assert stored.gsi2pk.startswith("SEGREFRESH#") and stored.gsi2sk > iso()  # on the refresh index
    assert SegmentItem.get(segments_pk("acme"), "SEG#" + fixed["id"]).gsi2pk is None  # only relative rules
    # Given a member whose last message was six days ago...
    item = PersonItem.get(person_pk("acme", person["id"]), "PERSON")
    item.last_interaction_at = iso(utcnow() - timedelta(days=6, hours=23))
    item.save()
    deliver(SEGMENTS)
    call(CRM, "PATCH", f"/v1/contacts/{person['id']}", principal=admin, body={"tags": ["y"]})
    deliver(SEGMENTS)
    assert person["id"] in _members(admin, relative["id"])  # (other tests' recent writers may be members too)
    # ...as if two days went by with no change to the person: only the clock moved
    item = PersonItem.get(person_pk("acme", person["id"]), "PERSON")
    item.last_interaction_at = iso(utcnow() - timedelta(days=8, hours=23))
    item.save()  # straight to the table: no event, so nothing re-evaluates the person
    assert person["id"] in _members(admin, relative["id"])
    # Nothing is due yet; after the brand's midnight the hourly job requests the refresh
    job = handler_of("jobs/segment_refresh")
    assert job(sample_event("SegmentRefreshFunction", "scheduled"), FakeContext())["requested"] == 0
    from skailan.crm.audiences.segments import request_due_refreshes

    assert request_due_refreshes(utcnow() + timedelta(days=1, hours=1)) >= 1  # this one (and any other test's)
    assert request_due_refreshes(utcnow() + timedelta(days=1, hours=1)) == 0  # moved to the next midnight
    assert deliver(SEGMENTS)["batchItemFailures"] == []
    members = _members(admin, relative["id"])
    assert person["id"] not in members
    assert call(CRM, "GET", f"/v1/crm/segments/{relative['id']}", principal=admin).body["count"] == len(members)
    assert not list(FacetItem.query(person_pk("acme", person["id"]), FacetItem.sk.startswith("F#segment#")))
    # A rule saved without relative dates leaves the refresh index
    call(CRM, "PATCH", f"/v1/crm/segments/{relative['id']}", principal=admin,
         body={"rule": {"all": [{"field": "tags", "op": "has_tag", "value": "y"}]}})
    assert SegmentItem.get(segments_pk("acme"), "SEG#" + relative["id"]).gsi2pk is None


def test_conversations_appear_on_the_persons_timeline_once(demo, deliver, drained):
    from skailan.conversations import events as ev
    from skailan.platform.events import publish

    admin = demo["admin@acme.local"]
    person = _person(admin, "Conversa", "conversa@acme.mx")

    def opened(type_: str, key: str) -> None:
        publish([ev.build("acme", type_, key=key, entity_type="conversation", entity_id="conv-1",
                          occurred_at="2026-11-20T10:00:00.000Z" if type_ == ev.CONVERSATION_CREATED
                          else "2026-11-22T10:00:00.000Z",
                          data={"conversation_id": "conv-1", "channel": "whatsapp", "person_id": person["id"],
                                "message_id": key})])

    opened(ev.CONVERSATION_CREATED, "conv-1:m1")
    opened(ev.CONVERSATION_CREATED, "conv-1:m1")  # the same event again (a retried publish)
    opened(ev.CONVERSATION_REOPENED, "conv-1:m9")
    assert deliver(SEGMENTS)["batchItemFailures"] == []
    entries = call(CRM, "GET", f"/v1/contacts/{person['id']}/timeline", principal=admin).body["items"]
    conversations = [e for e in entries if e["kind"] == "conversation"]
    assert [e["summary"] for e in conversations] == ["Conversación reabierta por WhatsApp", "Conversación por WhatsApp"]
    assert conversations[0]["ref"] == {"type": "conversation", "id": "conv-1", "channel": "whatsapp", "reopened": True}
    # the other brand sees nothing of it
    assert call(CRM, "GET", f"/v1/contacts/{person['id']}/timeline", principal=demo["admin@demo.local"]).status == 404


def test_an_import_batch_is_evaluated_with_the_brand_s_rules_read_once(demo, deliver, drained, monkeypatch):
    """contact.imported (50 people an event): the people, their duplicate keys and the brand's
    segments are read together, not once per person; memberships and duplicate groups as before."""
    from botocore.client import BaseClient

    from skailan.crm.audiences import segments as segment_store
    from skailan.platform.events import DomainEvent

    admin = demo["admin@acme.local"]
    rule = {"all": [{"field": "tags", "op": "has_tag", "value": "lote-importado"}]}
    segment_id = call(CRM, "POST", "/v1/crm/segments", principal=admin, body={"name": "Lote", "rule": rule}).body["id"]
    deliver(SEGMENTS)
    tagged = [_person(admin, f"Lote Etiquetado {n}", f"lote{n}@acme.mx", tags=["lote-importado"])["id"] for n in range(6)]
    leaving = tagged[0]
    gone = tagged[1]
    deliver(SEGMENTS)
    assert _members(admin, segment_id) == set(tagged)
    # two people with one name whose own events never reach the worker: the batch groups them
    twins = [_person(admin, "Gemela Importada", f"gemela{n}@acme.mx")["id"] for n in range(2)]
    assert call(CRM, "PATCH", f"/v1/contacts/{leaving}", principal=admin, body={"tags": []}).status == 200
    assert call(CRM, "DELETE", f"/v1/contacts/{gone}", principal=admin).status == 204
    calls: list[str] = []  # the queued events of those changes stay undelivered until the end
    original = BaseClient._make_api_call

    def counting(self, operation_name, api_params):
        calls.append(f"{operation_name}:{api_params.get('TableName', '')}")
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counting)
    result = segment_store.on_event(DomainEvent(tenant_id="acme", source="skailan.crm", type="contact.imported",
                                                entity_type="contact_import", entity_id="imp-lote",
                                                data={"created": [*tagged, *twins], "updated": []}))
    monkeypatch.undo()
    assert result[leaving] == {"joined": [], "left": [segment_id]}
    assert result[tagged[2]] == {"joined": [], "left": []}  # already a member: nothing written twice
    assert _members(admin, segment_id) == set(tagged[2:])
    # one Query per person (their memberships), then the segments and the field definitions once
    assert sum(1 for c in calls if c.startswith("Query:")) <= len(tagged) + len(twins) + 2, calls
    assert not [c for c in calls if c.startswith("GetItem:")], calls  # people, keys, zone, fields: batched
    pairs = call(CRM, "GET", "/v1/contacts/duplicates", principal=admin, query={"limit": 100}).body["items"]
    assert sorted(twins) in [pair["person_ids"] for pair in pairs]
    deliver(SEGMENTS)  # the people's own events afterwards change nothing more
    assert _members(admin, segment_id) == set(tagged[2:])


def test_a_tag_rename_rewrites_the_segments_naming_it(demo, deliver, drained):
    from skailan.crm.audiences.segments import on_event
    from skailan.crm.store.items import SegmentItem, segments_pk
    from skailan.platform.events import build_event

    admin, other = demo["admin@acme.local"], demo["admin@demo.local"]
    holder = _person(admin, "Cobre Uno", "cobre1@acme.mx", tags=["Cobre"])
    _person(admin, "Sin Cobre", "cobre2@acme.mx", tags=["Otro"])
    _person(other, "Cobre Ajeno", "cobre@demo.mx", tags=["Cobre"])
    rule = {"all": [{"field": "tags", "op": "has_any", "value": ["COBRE", "Bronce"]},
                    {"any": [{"field": "tags", "op": "has_tag", "value": "cobre"},
                             {"field": "name", "op": "contains", "value": "cobre"}]}]}
    mine = call(CRM, "POST", "/v1/crm/segments", principal=admin, body={"name": "Cobre", "rule": rule}).body
    theirs = call(CRM, "POST", "/v1/crm/segments", principal=other, body={"name": "Cobre", "rule": rule}).body
    assert deliver(SEGMENTS)["batchItemFailures"] == []
    assert _members(admin, mine["id"]) == {holder["id"]}
    # When the tag is renamed, the worker moves the people and rewrites the rule (then re-evaluates it)
    assert call(CRM, "PATCH", "/v1/crm/tags/Cobre", principal=admin, body={"name": "Latón"}).status == 200
    assert deliver(SEGMENTS)["batchItemFailures"] == []
    assert deliver(SEGMENTS)["batchItemFailures"] == []  # the segment.updated of the rewrite
    got = call(CRM, "GET", f"/v1/crm/segments/{mine['id']}", principal=admin).body
    assert got["rule"] == {"all": [{"field": "tags", "op": "has_any", "value": ["Latón", "Bronce"]},
                                   {"any": [{"field": "tags", "op": "has_tag", "value": "Latón"},
                                            {"field": "name", "op": "contains", "value": "cobre"}]}]}
    assert (got["status"], got["count"]) == ("ready", 1)
    assert _members(admin, mine["id"]) == {holder["id"]}
    version = SegmentItem.get(segments_pk("acme"), "SEG#" + mine["id"]).rule_version
    assert version == 2
    # Still matches new people tagged with the new name
    newcomer = _person(admin, "Latón Dos", "laton2@acme.mx", tags=["latón"])
    deliver(SEGMENTS)
    assert _members(admin, mine["id"]) == {holder["id"], newcomer["id"]}
    # A redelivered event changes nothing
    again = build_event("skailan.crm", "acme", "tag.renamed", entity_type="tag", entity_id="laton",
                        data={"from": "Cobre", "to": "Latón"})
    assert on_event(again) == {"retagged": 0, "segments": 0}
    assert SegmentItem.get(segments_pk("acme"), "SEG#" + mine["id"]).rule_version == version
    # The other brand's segment still names its own tag
    assert call(CRM, "GET", f"/v1/crm/segments/{theirs['id']}", principal=other).body["rule"] == rule
