"""`wait_event`: a run waits for its person's event ("customer replied", "tag added") with a
timeout and a timeout branch, on moto and the application clock; nothing resumes twice."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import call

API = "api/automations"
CRM = "api/crm"


@pytest.fixture(autouse=True)
def clock_reset():
    from skailan.platform import clock

    clock.reset()
    yield
    clock.reset()


def _person(admin: Any, name: str) -> str:
    import uuid

    reply = call(CRM, "POST", "/v1/contacts", principal=admin,
                 body={"name": name, "email": f"{uuid.uuid4().hex[:10]}@example.com"})
    assert reply.status == 201, reply.body
    return reply.body["id"]


def _tag_event(tenant: str, person_id: str, added: list[str]) -> Any:
    from skailan.platform.events import DomainEvent

    return DomainEvent(tenant_id=tenant, source="skailan.crm", type="contact.updated", entity_type="contact",
                       entity_id=person_id, data={"changed": ["tags"], "tags_added": added, "tags_removed": []})


def _message(tenant: str, person_id: str, text: str, event_id: str | None = None) -> Any:
    from skailan.platform.events import DomainEvent

    extra = {"id": event_id} if event_id else {}
    return DomainEvent(tenant_id=tenant, source="skailan.conversations", type="message.received",
                       data={"conversation_id": "c1", "person_id": person_id, "text": text, "channel": "whatsapp",
                             "message_id": "m1", "type": "text", "provider_message_id": "p1"}, **extra)


def _runs(admin: Any, automation_id: str) -> list[dict[str, Any]]:
    reply = call(API, "GET", f"/v1/automations/{automation_id}/runs", principal=admin)
    assert reply.status == 200, reply.body
    return reply.body["items"]


def _tags(admin: Any, person_id: str) -> list[str]:
    return call(CRM, "GET", f"/v1/contacts/{person_id}", principal=admin).body["tags"]


def test_customer_replied_or_the_timeout_branch(demo):
    from skailan.automations.engine import on_event, resume_due
    from skailan.platform import clock

    admin = demo["admin@demo.local"]
    reply = call(API, "POST", "/v1/automations", principal=admin, body={
        "name": "Esperar respuesta", "trigger": {"type": "tag_added", "tag": "cotizado"},
        "steps": [{"type": "wait_event", "event": "message_received", "timeout_minutes": 60,
                   "then": [{"type": "add_tag", "tag": "respondio"}],
                   "timeout": [{"type": "add_tag", "tag": "sin-respuesta"}]},
                  {"type": "add_tag", "tag": "seguimiento-hecho"}]})
    assert reply.status == 201, reply.body
    automation_id = reply.body["id"]
    answers, silent = _person(admin, "Ana Responde"), _person(admin, "Sergio Silencio")
    on_event(_tag_event("demo", answers, ["cotizado"]))
    on_event(_tag_event("demo", silent, ["cotizado"]))
    assert {r["status"] for r in _runs(admin, automation_id)} == {"waiting"}

    clock.advance(5 * 60)
    # another brand's event for the same person id moves nothing
    assert on_event(_message("acme", answers, "hola"))["resumed"] == 0
    replied = _message("demo", answers, "sí, me interesa", event_id="01JREPLY000000000000000000")
    assert on_event(replied)["resumed"] == 1
    assert on_event(replied)["resumed"] == 0  # redelivered: the run already went on
    run = next(r for r in _runs(admin, automation_id) if r["person_id"] == answers)
    assert run["status"] == "completed", run
    assert [s["status"] for s in run["steps"]][:1] == ["completed"]
    assert run["steps"][0]["output"]["event_id"] == replied.id
    assert {"respondio", "seguimiento-hecho"} <= set(_tags(admin, answers))
    assert "sin-respuesta" not in _tags(admin, answers)

    assert resume_due()["resumed"] == 0  # not yet: 5 of 60 minutes
    clock.advance(56 * 60)
    assert resume_due()["resumed"] == 1  # only the silent one: the other finished
    run = next(r for r in _runs(admin, automation_id) if r["person_id"] == silent)
    assert run["status"] == "completed" and run["steps"][0]["output"]["timed_out"] is True
    assert {"sin-respuesta", "seguimiento-hecho"} <= set(_tags(admin, silent))
    from skailan.automations import store

    assert store.event_waits("demo", silent) == []  # the timed-out wait left nothing behind
    assert "respondio" not in _tags(admin, silent)
    # a reply after the timeout finds no waiting run
    clock.advance(60)
    assert on_event(_message("demo", silent, "perdón, tarde"))["resumed"] == 0
    assert "respondio" not in _tags(admin, silent)


def test_the_triggering_event_does_not_end_its_own_wait_and_tag_waits(demo):
    from skailan.automations.engine import on_event
    from skailan.platform import clock

    admin = demo["admin@demo.local"]
    reply = call(API, "POST", "/v1/automations", principal=admin, body={
        "name": "Precio y luego", "trigger": {"type": "message_received", "keywords": ["precio"]},
        "steps": [{"type": "wait_event", "event": "tag_added", "tag": "Pagado", "timeout_minutes": 1440,
                   "business_hours": True, "then": [{"type": "add_tag", "tag": "gracias"}]}]})
    assert reply.status == 201, reply.body
    again = call(API, "POST", "/v1/automations", principal=admin, body={
        "name": "Otro mensaje", "trigger": {"type": "message_received", "keywords": ["precio"]},
        "steps": [{"type": "wait_event", "event": "message_received", "timeout_minutes": 30}]})
    assert again.status == 201, again.body
    person = _person(admin, "Pia Paga")
    first = _message("demo", person, "¿Precio?")
    on_event(first)
    assert on_event(first)["resumed"] == 0  # the same event again: it does not end its own wait
    runs = _runs(admin, reply.body["id"])
    assert len(runs) == 1 and runs[0]["status"] == "waiting"
    assert _runs(admin, again.body["id"])[0]["status"] == "waiting"
    clock.advance(2)
    assert on_event(_tag_event("demo", person, ["otra"]))["resumed"] == 0  # another tag
    assert on_event(_tag_event("demo", person, ["pagado"]))["resumed"] == 1  # the tag, any case
    assert _runs(admin, reply.body["id"])[0]["status"] == "completed"
    assert "gracias" in _tags(admin, person)


def test_wait_event_bad_input_names_the_part(demo):
    admin = demo["admin@demo.local"]
    cases = [
        {"type": "wait_event", "event": "tag_added", "timeout_minutes": 10},
        {"type": "wait_event", "event": "sunrise", "timeout_minutes": 10},
        {"type": "wait_event", "event": "message_received"},
        {"type": "wait_event", "event": "message_received", "timeout_minutes": 0},
        {"type": "wait_event", "event": "message_received", "timeout_minutes": 5, "then": [{"type": "nope"}]},
    ]
    for step in cases:
        reply = call(API, "POST", "/v1/automations", principal=admin,
                     body={"name": "x", "trigger": {"type": "manual"}, "steps": [step]})
        assert reply.status == 422, (step, reply.body)
        assert reply.body["error"]["details"][0]["field"].startswith("steps.0.wait_event"), reply.body
    # free text after a timeout (the window may be closed) is refused at save time
    late = call(API, "POST", "/v1/automations", principal=admin, body={
        "name": "x", "trigger": {"type": "message_received"},
        "steps": [{"type": "wait_event", "event": "tag_added", "tag": "a", "timeout_minutes": 1500,
                   "timeout": [{"type": "send_message", "text": "hola"}]}]})
    assert late.status == 422 and late.body["error"]["details"][0]["field"] == "steps.0.timeout.0.send_message"


def test_a_tag_rename_rewrites_the_automations_naming_it_and_their_waits(demo):
    from skailan.automations.engine import on_event
    from skailan.platform.events import DomainEvent

    admin, other = demo["admin@demo.local"], demo["admin@acme.local"]
    on_tag = {"name": "Al calentarse", "trigger": {"type": "tag_added", "tag": "Caliente"},
              "conditions": {"all": [{"field": "tags", "op": "has_any", "value": ["CALIENTE", "vip"]}]},
              "event_conditions": [{"field": "tag", "op": "eq", "value": "caliente"}],
              "steps": [{"type": "add_tag", "tag": "avisado"}]}
    fired = call(API, "POST", "/v1/automations", principal=admin, body=on_tag).body
    waits = call(API, "POST", "/v1/automations", principal=admin, body={
        "name": "Precio y calor", "trigger": {"type": "message_received", "keywords": ["precio"]},
        "steps": [{"type": "wait_event", "event": "tag_added", "tag": "Caliente", "timeout_minutes": 1440,
                   "then": [{"type": "remove_tag", "tag": "caliente"}]}]}).body
    theirs = call(API, "POST", "/v1/automations", principal=other, body=on_tag).body
    waiting = _person(admin, "Espera Calor")
    on_event(_message("demo", waiting, "¿precio?"))
    assert [r["status"] for r in _runs(admin, waits["id"])] == ["waiting"]
    # When the CRM announces the rename, the automations worker rewrites the brand's automations
    renamed = DomainEvent(tenant_id="demo", source="skailan.crm", type="tag.renamed", entity_type="tag",
                          entity_id="ardiente", data={"from": "Caliente", "to": "Ardiente"})
    assert on_event(renamed) == {"rewritten": 2, "waits_moved": 1}
    got = call(API, "GET", f"/v1/automations/{fired['id']}", principal=admin).body
    assert got["trigger"] == {"type": "tag_added", "tag": "Ardiente"}
    assert got["conditions"] == {"all": [{"field": "tags", "op": "has_any", "value": ["Ardiente", "vip"]}]}
    assert got["event_conditions"] == [{"field": "tag", "op": "eq", "value": "Ardiente"}]
    assert got["version"] == 2
    got_wait = call(API, "GET", f"/v1/automations/{waits['id']}", principal=admin).body
    assert got_wait["steps"][0]["tag"] == "Ardiente" and got_wait["steps"][0]["then"][0]["tag"] == "Ardiente"
    # It still fires on the new name (its conditions read the person's tags)
    person = call(CRM, "POST", "/v1/contacts", principal=admin,
                  body={"name": "Tibio", "email": "tibio@example.com", "tags": ["ardiente"]}).body["id"]
    assert on_event(_tag_event("demo", person, ["ardiente"]))["started"] == 1
    assert "avisado" in _tags(admin, person)
    # The run that waited on the old name goes on when the new one is added
    assert on_event(_tag_event("demo", waiting, ["ARDIENTE"]))["resumed"] == 1
    assert [r["status"] for r in _runs(admin, waits["id"])] == ["completed"]
    # A redelivered event changes nothing
    assert on_event(renamed) == {"rewritten": 0, "waits_moved": 0}
    assert call(API, "GET", f"/v1/automations/{fired['id']}", principal=admin).body["version"] == 2
    # Another brand's automation still names its own tag
    assert call(API, "GET", f"/v1/automations/{theirs['id']}", principal=other).body["trigger"]["tag"] == "Caliente"
