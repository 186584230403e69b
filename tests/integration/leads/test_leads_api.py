"""Lead flow through the real handlers on moto: the queue's order, notes and reservation,
templates that tag, lead_status in segments, timeline, reports, isolation and bad input."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.integration.leads.conftest import CRM, LEADS, new_person
from tests.support import OutboxWatch, call


def _queue(principal: Any, **query: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        q = {**query, "limit": 100, **({"cursor": cursor} if cursor else {})}
        reply = call(LEADS, "GET", "/v1/lead-flow/leads", principal=principal, query=q)
        assert reply.status == 200, reply.body
        items += reply.body["items"]
        cursor = reply.body["next_cursor"]
        if not cursor:
            return items


def _note(principal: Any, person_id: str, **body: Any) -> Any:
    return call(LEADS, "POST", f"/v1/lead-flow/leads/{person_id}/notes", principal=principal, body=body)


def test_queue_order_never_worked_first_then_oldest_note_closed_last(demo, deliver):
    admin, operator = demo["admin@demo.local"], demo["operator@demo.local"]
    a = new_person(admin, "Orden Alfa")
    b = new_person(admin, "Orden Beta")
    c = new_person(admin, "Orden Gamma")
    d = new_person(admin, "Orden Delta")
    deliver()  # contact.created → leads
    assert _note(operator, c, text="Primera llamada, quiere info").status == 201
    assert _note(operator, a, text="Llamada, volver a llamar").status == 201
    assert _note(operator, d, text="Compró", close=True, outcome="positive").status == 201
    ids = [i["person"]["id"] for i in _queue(operator) if i["person"]["id"] in (a, b, c, d)]
    assert ids == [b, c, a, d]  # never worked; worked by oldest last note (c before a); closed last
    queue = {i["person"]["id"]: i for i in _queue(operator)}
    assert queue[b]["lead_status"] == "none" and queue[b]["last_note"] is None and queue[b]["reserved_by"] is None
    assert queue[c]["lead_status"] == "in_progress"
    assert queue[c]["last_note"]["text"] == "Primera llamada, quiere info"
    assert queue[c]["last_note"]["author"]["id"] == operator.sub
    assert queue[c]["reserved_by"] == {"id": operator.sub, "name": "Óscar Operador"}
    assert queue[d]["lead_status"] == "completed" and queue[d]["last_note"]["outcome"] == "positive"
    # status filter is a key condition on the same index
    assert b in [i["person"]["id"] for i in _queue(operator, status="none")]
    assert a not in [i["person"]["id"] for i in _queue(operator, status="none")]
    assert [i["person"]["id"] for i in _queue(operator, status="completed") if i["person"]["id"] in (a, b, c, d)] == [d]
    # search by name prefix, e-mail, phone
    found = call(LEADS, "GET", "/v1/lead-flow/leads", principal=operator, query={"q": "Orden Gam"}).body["items"]
    assert [i["person"]["id"] for i in found] == [c]
    phone_person = new_person(admin, "Telefono Uno", phone="+573001112233")
    deliver()
    found = call(LEADS, "GET", "/v1/lead-flow/leads", principal=operator, query={"q": "+57 300 111 2233"}).body["items"]
    assert [i["person"]["id"] for i in found] == [phone_person]


def test_note_moves_status_reserves_and_a_second_operator_gets_the_holder(demo, deliver):
    admin, operator, supervisor = demo["admin@demo.local"], demo["operator@demo.local"], demo["supervisor@demo.local"]
    # a second operator: the admin invites one through the members API is out of scope here, so
    # the supervisor's role is made to reserve too.
    settings = call(LEADS, "GET", "/v1/lead-flow/settings", principal=admin).body
    assert settings["reserve_roles"] == ["operator"]
    put = call(LEADS, "PUT", "/v1/lead-flow/settings", principal=admin,
               body={**{k: settings[k] for k in ("list_ids", "display_fields")},
                     "reserve_roles": ["operator", "supervisor"], "ai": {"enabled": False, "provider": "local"}})
    assert put.status == 200, put.body
    person = new_person(admin, "Reserva Uno")
    watch = OutboxWatch("skailan-local-leads")
    first = _note(operator, person, text="Contestó, pide cotización")
    assert first.status == 201, first.body
    assert first.body["outcome"] is None and first.body["outcome_source"] is None
    assert first.body["lead_status"] == "in_progress"
    assert sorted(watch.types()) == ["lead.note_added", "lead.reserved", "lead.status_changed"]
    second = _note(supervisor, person, text="Yo también llamé")
    assert second.status == 409
    assert second.body["error"]["code"] == "lead_reserved"
    assert second.body["error"]["details"]["holder"] == {"id": operator.sub, "name": "Óscar Operador"}
    notes = call(LEADS, "GET", f"/v1/lead-flow/leads/{person}/notes", principal=operator).body
    assert [n["text"] for n in notes["items"]] == ["Contestó, pide cotización"]
    # the holder keeps writing; release frees the lead; reassign gives it to someone
    assert _note(operator, person, text="Segunda llamada").status == 201
    released = call(LEADS, "POST", f"/v1/lead-flow/leads/{person}/release", principal=supervisor)
    assert released.status == 200 and released.body["reserved_by"] is None
    assert _note(supervisor, person, text="Ahora la tomo yo").status == 201
    assert _note(operator, person, text="Intento").status == 409
    moved = call(LEADS, "POST", f"/v1/lead-flow/leads/{person}/reassign", principal=admin,
                 body={"user_id": operator.sub})
    assert moved.status == 200 and moved.body["reserved_by"]["id"] == operator.sub
    assert _note(operator, person, text="De vuelta").status == 201
    # close and reopen
    closed = _note(operator, person, text="Cerrado: compró", close=True)
    assert closed.status == 201 and closed.body["lead_status"] == "completed"
    reopened = call(LEADS, "POST", f"/v1/lead-flow/leads/{person}/reopen", principal=operator)
    assert reopened.status == 200 and reopened.body["lead_status"] == "in_progress"
    assert call(LEADS, "POST", f"/v1/lead-flow/leads/{person}/reopen", principal=operator).status == 409
    # operators cannot release or reassign
    assert call(LEADS, "POST", f"/v1/lead-flow/leads/{person}/release", principal=operator).status == 403
    call(LEADS, "PUT", "/v1/lead-flow/settings", principal=admin,
         body={**{k: settings[k] for k in ("list_ids", "display_fields")}, "reserve_roles": ["operator"]})


def test_twenty_pairs_of_simultaneous_first_notes_give_one_holder_each(people, deliver, serialized_dynamodb):
    """Two operators' first notes on the same lead at the same moment, 20 times: one holder each
    time, the other gets 409 naming them, and the winner's note is stored exactly once. Run on
    the domain function from threads (one Lambda container serves one request at a time, so the
    race is between containers: here, threads sharing the table)."""
    from skailan.leads import flow
    from skailan.leads.models import LeadNoteIn
    from skailan.platform.auth import Caller
    from skailan.platform.errors import Conflict

    admin = people["admin@demo.local"]
    ops = [people["operator@demo.local"], people["operator2@demo.local"]]
    callers = [Caller(tenant_id="demo", principal_id=p.sub, kind="user", email=p.email, name=name, role="operator",
                      permissions=frozenset({"leads:edit"}))
               for p, name in zip(ops, ("Óscar Operador", "Olga Operadora"), strict=True)]
    targets = [new_person(admin, f"Carrera {n}") for n in range(20)]
    deliver()
    for person in targets:
        barrier = threading.Barrier(2)
        outcomes: dict[str, Any] = {}

        def write(caller: Caller, person: str = person, barrier: threading.Barrier = barrier,
                  outcomes: dict[str, Any] = outcomes) -> None:
            barrier.wait()
            try:
                outcomes[caller.principal_id] = flow.add_note(caller, person, LeadNoteIn(text=f"Nota de {caller.name}"))
            except Conflict as err:
                outcomes[caller.principal_id] = err

        threads = [threading.Thread(target=write, args=(c,)) for c in callers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        won = [c for c in callers if not isinstance(outcomes[c.principal_id], Conflict)]
        lost = [c for c in callers if isinstance(outcomes[c.principal_id], Conflict)]
        assert len(won) == 1 and len(lost) == 1, outcomes
        refused = outcomes[lost[0].principal_id]
        assert refused.code == "lead_reserved"
        assert refused.details["holder"] == {"id": won[0].principal_id, "name": won[0].name}
        lead = call(LEADS, "GET", f"/v1/lead-flow/leads/{person}", principal=admin).body
        assert lead["reserved_by"]["id"] == won[0].principal_id and lead["notes_count"] == 1
        notes = call(LEADS, "GET", f"/v1/lead-flow/leads/{person}/notes", principal=admin).body["items"]
        assert [n["text"] for n in notes] == [f"Nota de {won[0].name}"]


def test_template_fills_the_note_and_tags_the_person_through_the_crm(demo, deliver):
    admin, operator = demo["admin@demo.local"], demo["operator@demo.local"]
    created = call(LEADS, "POST", "/v1/lead-flow/note-templates", principal=admin,
                   body={"title": "Demo agendada", "text": "Agendó una demo para el jueves.",
                         "tags": ["demo agendada", "caliente"]})
    assert created.status == 201 and created.body["id"]
    template_id = created.body["id"]
    person = new_person(admin, "Plantilla Uno", tags=["Caliente"])
    crm_events = OutboxWatch("skailan-local-contacts")
    note = _note(operator, person, template_id=template_id)
    assert note.status == 201, note.body
    assert note.body["text"] == "Agendó una demo para el jueves." and note.body["template_id"] == template_id
    assert note.body["tags_applied"] == ["demo agendada"]  # "caliente" was already there (case-folded)
    tags = call(CRM, "GET", f"/v1/contacts/{person}", principal=admin).body["tags"]
    assert tags == ["Caliente", "demo agendada"]
    assert "contact.updated" in crm_events.types()  # the CRM's own event: automations fire on it
    # the operator's own text wins over the template's
    own = _note(operator, person, template_id=template_id, text="Texto propio")
    assert own.body["text"] == "Texto propio" and own.body["tags_applied"] == []
    # edit, list, delete
    patched = call(LEADS, "PATCH", f"/v1/lead-flow/note-templates/{template_id}", principal=admin,
                   body={"tags": ["demo"]})
    assert patched.status == 200 and patched.body["tags"] == ["demo"] and patched.body["title"] == "Demo agendada"
    listed = call(LEADS, "GET", "/v1/lead-flow/note-templates", principal=operator).body["items"]
    assert template_id in [t["id"] for t in listed]
    assert call(LEADS, "DELETE", f"/v1/lead-flow/note-templates/{template_id}", principal=admin).status == 204
    assert call(LEADS, "DELETE", f"/v1/lead-flow/note-templates/{template_id}", principal=admin).status == 404
    gone = _note(operator, person, template_id=template_id)
    assert gone.status == 422 and gone.body["error"]["code"] == "unknown_template"
    # operators use templates, they do not edit them
    assert call(LEADS, "POST", "/v1/lead-flow/note-templates", principal=operator,
                body={"title": "x", "text": "y"}).status == 403


def test_worker_keeps_lead_status_timeline_and_reports(demo, deliver):
    admin, operator = demo["admin@demo.local"], demo["operator@demo.local"]
    person = new_person(admin, "Reporte Uno")
    other = new_person(admin, "Reporte Dos")
    deliver()
    before = call(LEADS, "GET", "/v1/lead-flow/reports", principal=admin, query={"group_by": "operator"}).body
    assert _note(operator, person, text="No contesta").status == 201
    assert _note(operator, person, text="Contestó, lo piensa", outcome="partial").status == 201
    assert _note(operator, other, text="Compró", close=True, outcome="positive").status == 201
    result = deliver()
    assert not result["batchItemFailures"] and result["delivered"] >= 3
    # lead_status on the person (segments read it) and the notes on the timeline
    assert call(CRM, "GET", f"/v1/contacts/{person}", principal=admin).body["lead_status"] == "in_progress"
    assert call(CRM, "GET", f"/v1/contacts/{other}", principal=admin).body["lead_status"] == "completed"
    timeline = call(CRM, "GET", f"/v1/contacts/{person}/timeline", principal=admin).body["items"]
    assert [e["body"] for e in timeline if e["kind"] == "lead_note"] == ["Contestó, lo piensa", "No contesta"]
    after = call(LEADS, "GET", "/v1/lead-flow/reports", principal=admin, query={"group_by": "operator"}).body
    assert after["totals"]["calls"] - before["totals"]["calls"] == 3
    assert after["totals"]["unique_leads"] - before["totals"]["unique_leads"] == 2
    assert after["totals"]["closed"] - before["totals"]["closed"] == 1
    mine = next(g for g in after["groups"] if g["key"] == operator.sub)
    assert mine["label"] == "Óscar Operador" and sum(mine["by_hour"].values()) == mine["calls"]
    assert after["outcomes"]["positive"] - before["outcomes"]["positive"] == 1
    # a redelivered event is not counted twice
    from skailan.leads import reports
    from skailan.leads.catalogue import LEAD_NOTE_ADDED
    from skailan.leads.events import build

    replay = build("demo", LEAD_NOTE_ADDED, data={"person_id": person, "note_id": "01JREPLAY", "text": "x",
                                                  "author_id": operator.sub, "created_at": "2026-01-01T10:00:00.000Z"})
    assert reports.count_note(replay) is True
    assert reports.count_note(replay) is False
    hours = call(LEADS, "GET", "/v1/lead-flow/reports", principal=admin, query={"group_by": "hour"}).body
    assert [g["key"] for g in hours["groups"]] == [f"{h:02d}" for h in range(24)]
    assert hours["time_zone"] == "America/Bogota"
    csv = call(LEADS, "GET", "/v1/lead-flow/reports/export", principal=admin, query={"group_by": "operator"})
    assert csv.status == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert csv.body.splitlines()[0].startswith("operator_id,operator,calls,unique_leads,closed")
    assert operator.sub in csv.body
    # segments: lead_status is a rule field, evaluated over the person as the segments worker does
    from skailan.crm.audiences.rules import matches, parse_rule
    from skailan.crm.people.service import as_segment_person
    from skailan.crm.store.person_reads import find_person
    from skailan.platform.clock import utcnow

    rule = parse_rule({"all": [{"field": "lead_status", "op": "eq", "value": "completed"}]})
    assert matches(rule, as_segment_person(find_person("demo", other)), utcnow())
    assert not matches(rule, as_segment_person(find_person("demo", person)), utcnow())


def test_another_brands_ids_are_404_on_every_route(demo, deliver):
    admin, acme = demo["admin@demo.local"], demo["admin@acme.local"]
    person = new_person(admin, "Aislada Uno")
    template = call(LEADS, "POST", "/v1/lead-flow/note-templates", principal=admin,
                    body={"title": "Solo demo", "text": "x"}).body["id"]
    deliver()
    for method, path, body in (
        ("GET", f"/v1/lead-flow/leads/{person}", None),
        ("GET", f"/v1/lead-flow/leads/{person}/notes", None),
        ("POST", f"/v1/lead-flow/leads/{person}/notes", {"text": "hola"}),
        ("POST", f"/v1/lead-flow/leads/{person}/reopen", None),
        ("POST", f"/v1/lead-flow/leads/{person}/release", None),
        ("POST", f"/v1/lead-flow/leads/{person}/reassign", {"user_id": acme.sub}),
        ("GET", f"/v1/lead-flow/note-templates/{template}", None),
        ("PATCH", f"/v1/lead-flow/note-templates/{template}", {"title": "robado"}),
        ("DELETE", f"/v1/lead-flow/note-templates/{template}", None),
    ):
        reply = call(LEADS, method, path, principal=acme, body=body)
        assert reply.status == 404, (method, path, reply.status, reply.body)
    # acme's queue, search and templates do not show demo's
    assert person not in [i["person"]["id"] for i in _queue(acme)]
    assert call(LEADS, "GET", "/v1/lead-flow/leads", principal=acme, query={"q": "Aislada"}).body["items"] == []
    assert template not in [t["id"] for t in call(LEADS, "GET", "/v1/lead-flow/note-templates",
                                                  principal=acme).body["items"]]
    # a demo template used on an acme note is unknown there
    acme_person = new_person(acme, "Acme Uno")
    reply = _note(acme, acme_person, text="x", template_id=template)
    assert reply.status == 422 and reply.body["error"]["code"] == "unknown_template"
    # a cursor of demo's queue is refused in acme
    page = call(LEADS, "GET", "/v1/lead-flow/leads", principal=admin, query={"limit": 1}).body
    if page["next_cursor"]:
        assert call(LEADS, "GET", "/v1/lead-flow/leads", principal=acme,
                    query={"cursor": page["next_cursor"]}).status == 400
    # the demo lead is untouched
    lead = call(LEADS, "GET", f"/v1/lead-flow/leads/{person}", principal=admin).body
    assert lead["notes_count"] == 0 and lead["lead_status"] == "none"


def test_permissions(people):
    agent, operator, supervisor = people["agent1@demo.local"], people["operator@demo.local"], people["supervisor@demo.local"]
    marketing = people["readonly@demo.local"]
    person = new_person(people["admin@demo.local"], "Permisos Uno")
    # a role without any leads permission
    for method, path in (("GET", "/v1/lead-flow/leads"), ("GET", "/v1/lead-flow/settings"),
                         ("GET", "/v1/lead-flow/note-templates"), ("GET", "/v1/lead-flow/reports"),
                         ("POST", f"/v1/lead-flow/leads/{person}/notes")):
        reply = call(LEADS, method, path, principal=marketing, body={"text": "x"} if method == "POST" else None)
        assert reply.status == 403 and reply.body["error"]["code"] == "permission_denied", (path, reply.body)
    # agents read (leads:view) but do not write notes
    assert call(LEADS, "GET", "/v1/lead-flow/leads", principal=agent).status == 200
    assert _note(agent, person, text="x").status == 403
    # reports: supervisors yes, operators no; settings: only admins change them
    assert call(LEADS, "GET", "/v1/lead-flow/reports", principal=supervisor).status == 200
    assert call(LEADS, "GET", "/v1/lead-flow/reports", principal=operator).status == 403
    assert call(LEADS, "PUT", "/v1/lead-flow/settings", principal=supervisor, body={}).status == 403
    assert call(LEADS, "PUT", "/v1/lead-flow/settings", principal=operator, body={}).status == 403


@pytest.mark.parametrize(("body", "code"), [
    ({}, "empty_note"),
    ({"text": ""}, "validation_error"),
    ({"text": "   "}, "validation_error"),
    ({"text": None}, "empty_note"),
    ({"text": "x", "extra": 1}, "validation_error"),
    ({"text": "x", "outcome": "great"}, "validation_error"),
    ({"text": "x", "close": "maybe"}, "validation_error"),
    ({"template_id": "no-such-template"}, "unknown_template"),
    ({"text": "x" * 5001}, "validation_error"),
])
def test_bad_notes_are_refused_and_nothing_is_written(demo, body, code):
    admin, operator = demo["admin@demo.local"], demo["operator@demo.local"]
    person = new_person(admin, "Mala Entrada")
    reply = _note(operator, person, **body)
    assert reply.status == 422 and reply.body["error"]["code"] == code, reply.body
    assert " / " in reply.body["error"]["message"]
    lead = call(LEADS, "GET", f"/v1/lead-flow/leads/{person}", principal=admin).body
    assert lead["notes_count"] == 0 and lead["lead_status"] == "none" and lead["reserved_by"] is None


def test_bad_settings_templates_and_queries(demo):
    admin = demo["admin@demo.local"]
    bad = call(LEADS, "PUT", "/v1/lead-flow/settings", principal=admin,
               body={"list_ids": ["no-such-list"], "reserve_roles": ["nobody"]})
    assert bad.status == 422
    assert {(d["field"], d["error"]) for d in bad.body["error"]["details"]} == {
        ("list_ids.0", "unknown_list"), ("reserve_roles.0", "unknown_role")}
    for body in ({"display_fields": ["password"]}, {"ai": {"enabled": True, "provider": "skynet"}},
                 {"ai": None}, {"list_ids": None}, {"unknown": 1}):
        assert call(LEADS, "PUT", "/v1/lead-flow/settings", principal=admin, body=body).status == 422, body
    assert call(LEADS, "POST", "/v1/lead-flow/note-templates", principal=admin, body={"title": "", "text": "x"}).status \
        == 422
    assert call(LEADS, "POST", "/v1/lead-flow/note-templates", principal=admin,
                body={"title": "x", "text": "y", "tags": ["a#b"]}).status == 422
    assert call(LEADS, "PATCH", "/v1/lead-flow/note-templates/x", principal=admin, body={"title": None}).status == 422
    for query in ({"status": "open"}, {"limit": 0}, {"limit": 101}, {"tag": "x"}, {"cursor": "garbage"}):
        reply = call(LEADS, "GET", "/v1/lead-flow/leads", principal=admin, query=query)
        assert reply.status in (400, 422), (query, reply.body)
    for query in ({"from": "2026-13-01"}, {"from": "2026-02-01", "to": "2026-01-01"}, {"group_by": "weekday"},
                  {"from": "2024-01-01", "to": "2026-01-01"}):
        reply = call(LEADS, "GET", "/v1/lead-flow/reports", principal=admin, query=query)
        assert reply.status == 422, (query, reply.body)
    assert call(LEADS, "GET", "/v1/lead-flow/leads/not%20an%20id", principal=admin).status == 404


def test_openai_key_is_write_only(demo):
    admin = demo["admin@demo.local"]
    reply = call(LEADS, "PUT", "/v1/lead-flow/settings", principal=admin,
                 body={"ai": {"enabled": True, "provider": "openai", "openai_api_key": "sk-test-0123456789abcdefghij"}})
    assert reply.status == 200, reply.body
    assert reply.body["ai"] == {"enabled": True, "provider": "openai", "model_id": None, "openai_key_set": True}
    assert "sk-test" not in str(call(LEADS, "GET", "/v1/lead-flow/settings", principal=admin).body)
    from skailan.leads.flow_settings import openai_key

    assert openai_key("demo") == "sk-test-0123456789abcdefghij"
    # saved again without a key: the stored one stays
    again = call(LEADS, "PUT", "/v1/lead-flow/settings", principal=admin, body={"ai": {"enabled": False}})
    assert again.body["ai"]["openai_key_set"] is True and openai_key("demo") == "sk-test-0123456789abcdefghij"


def test_seeded_defaults_and_demo_queue(demo, deliver):
    from skailan.leads import templates

    for principal in (demo["admin@demo.local"], demo["admin@acme.local"]):
        titles = [t["title"] for t in call(LEADS, "GET", "/v1/lead-flow/note-templates", principal=principal).body["items"]]
        assert {"Llamada exitosa", "Llamar nuevamente", "No interesado", "No contesta"} <= set(titles)
    assert templates.seed_defaults("demo") == 0  # idempotent
    queue = _queue(demo["operator@demo.local"])
    by_name = {i["person"]["name"]: i for i in queue}
    assert by_name["Camila Rojas"]["lead_status"] == "none"
    assert by_name["Isabella Torres"]["lead_status"] == "in_progress"
    assert by_name["Daniela Moreno"]["lead_status"] == "completed"
    names = [i["person"]["name"] for i in queue]
    assert names.index("Camila Rojas") < names.index("Isabella Torres") < names.index("Daniela Moreno")
    # a new brand gets the defaults from its brand.created event
    from skailan.leads.worker import on_event
    from skailan.platform.events import build_event

    on_event(build_event("skailan.tenancy", "nueva-marca", "brand.created", entity_type="brand",
                         entity_id="nueva-marca"))
    assert len(templates.list_templates("nueva-marca").items) == len(templates.DEFAULTS)


def test_flow_membership_follows_the_configured_lists(people, deliver):
    admin, operator = people["admin@demo.local"], people["operator@demo.local"]
    inside = new_person(admin, "Lista Dentro")
    outside = new_person(admin, "Lista Fuera")
    listed = call(CRM, "POST", "/v1/crm/lists", principal=admin, body={"name": "Campaña leads"})
    assert listed.status == 201, listed.body
    list_id = listed.body["id"]
    assert call(CRM, "POST", f"/v1/crm/lists/{list_id}/members", principal=admin,
                body={"person_ids": [inside]}).status == 200
    deliver()
    put = call(LEADS, "PUT", "/v1/lead-flow/settings", principal=admin,
               body={"list_ids": [list_id], "display_fields": ["lists", "email"]})
    assert put.status == 200 and put.body["list_ids"] == [list_id]
    deliver()  # lead_settings.updated → every lead's membership again
    queue = {i["person"]["id"]: i for i in _queue(operator)}
    assert inside in queue and outside not in queue
    assert queue[inside]["display"]["lists"] == [list_id] and queue[inside]["display"]["email"]
    # the list filter of the queue
    assert [i["person"]["id"] for i in _queue(operator, list_id=list_id)] == [inside]
    # joining the list brings the person in; leaving takes them out
    call(CRM, "POST", f"/v1/crm/lists/{list_id}/members", principal=admin, body={"person_ids": [outside]})
    deliver()
    assert outside in {i["person"]["id"] for i in _queue(operator)}
    call(CRM, "POST", f"/v1/crm/lists/{list_id}/members/remove", principal=admin, body={"person_ids": [inside]})
    deliver()
    assert inside not in {i["person"]["id"] for i in _queue(operator)}
    # a deleted person leaves the flow
    assert call(CRM, "DELETE", f"/v1/contacts/{outside}", principal=admin).status == 204
    deliver()
    assert outside not in {i["person"]["id"] for i in _queue(operator)}
    assert call(LEADS, "GET", f"/v1/lead-flow/leads/{outside}", principal=admin).status == 404
    # no lists: every person again
    call(LEADS, "PUT", "/v1/lead-flow/settings", principal=admin, body={})
    deliver()
    assert inside in {i["person"]["id"] for i in _queue(operator)}


def test_a_retried_note_with_the_same_client_id_is_written_once(demo, deliver):
    admin, operator = demo["admin@demo.local"], demo["operator@demo.local"]
    person = new_person(admin, "Reintento Uno")
    watch = OutboxWatch("skailan-local-leads")
    first = _note(operator, person, text="Llamada", client_note_id="c-123")
    again = _note(operator, person, text="Llamada", client_note_id="c-123")
    assert first.status == again.status == 201
    assert again.body["id"] == first.body["id"]
    assert len(call(LEADS, "GET", f"/v1/lead-flow/leads/{person}/notes", principal=admin).body["items"]) == 1
    assert watch.types().count("lead.note_added") == 1
    other = _note(operator, person, text="Otra", client_note_id="c-124")
    assert other.status == 201 and other.body["id"] != first.body["id"]


def test_settings_patch_merges_and_validates_the_whole(demo):
    admin = demo["admin@demo.local"]
    call(LEADS, "PUT", "/v1/lead-flow/settings", principal=admin,
         body={"display_fields": ["tags", "email"], "ai": {"enabled": False, "provider": "bedrock",
                                                           "model_id": "amazon.nova-micro-v1:0"}})
    patched = call(LEADS, "PATCH", "/v1/lead-flow/settings", principal=admin, body={"ai": {"enabled": True}})
    assert patched.status == 200, patched.body
    assert patched.body["ai"]["enabled"] is True and patched.body["ai"]["provider"] == "bedrock"
    assert patched.body["ai"]["model_id"] == "amazon.nova-micro-v1:0"
    assert patched.body["display_fields"] == ["tags", "email"]  # untouched
    assert call(LEADS, "PATCH", "/v1/lead-flow/settings", principal=admin, body={"display_fields": None}).status == 422
    refused = call(LEADS, "PATCH", "/v1/lead-flow/settings", principal=admin, body={"reserve_roles": ["nadie"]})
    assert refused.status == 422 and refused.body["error"]["details"][0]["field"] == "reserve_roles.0"
    assert call(LEADS, "PATCH", "/v1/lead-flow/settings", principal=demo["supervisor@demo.local"],
                body={"ai": {"enabled": False}}).status == 403
    assert call(LEADS, "GET", "/v1/lead-flow/settings", principal=admin).body["ai"]["enabled"] is True
    call(LEADS, "PUT", "/v1/lead-flow/settings", principal=admin, body={})


def test_a_tag_rename_rewrites_the_note_templates_naming_it(demo, deliver):
    from skailan.leads.worker import on_event
    from skailan.platform.events import DomainEvent

    admin, operator, other = demo["admin@demo.local"], demo["operator@demo.local"], demo["admin@acme.local"]
    body = {"title": "Tibia", "text": "Interés a medias.", "tags": ["TIBIA", "llamar luego"]}
    mine = call(LEADS, "POST", "/v1/lead-flow/note-templates", principal=admin, body=body).body
    theirs = call(LEADS, "POST", "/v1/lead-flow/note-templates", principal=other, body=body).body
    new_person(admin, "Tibia Uno", tags=["Tibia"])  # held: the rename goes through the segments worker's move
    deliver()
    # When the CRM renames the tag, the leads worker rewrites the brand's templates naming it
    assert call(CRM, "PATCH", "/v1/crm/tags/Tibia", principal=admin, body={"name": "Templada"}).status == 200
    deliver()
    got = call(LEADS, "GET", f"/v1/lead-flow/note-templates/{mine['id']}", principal=admin).body
    assert got["tags"] == ["Templada", "llamar luego"]
    # Using it tags the person with the new name, never the old one again
    person = new_person(admin, "Tibia Dos")
    deliver()
    note = _note(operator, person, template_id=mine["id"])
    assert note.status == 201, note.body
    assert note.body["tags_applied"] == ["Templada", "llamar luego"]
    assert call(CRM, "GET", f"/v1/contacts/{person}", principal=admin).body["tags"] == ["Templada", "llamar luego"]
    # A redelivered event changes nothing
    again = DomainEvent(tenant_id="demo", source="skailan.crm", type="tag.renamed", entity_type="tag",
                        entity_id="templada", data={"from": "Tibia", "to": "Templada"})
    assert on_event(again) == {"templates": 0}
    assert call(LEADS, "GET", f"/v1/lead-flow/note-templates/{mine['id']}", principal=admin).body == got
    # Another brand's template still names its own tag
    assert call(LEADS, "GET", f"/v1/lead-flow/note-templates/{theirs['id']}", principal=other).body["tags"] == [
        "TIBIA", "llamar luego"]
