"""Automations through the real handlers on moto: CRUD with versions, bad input naming the part,
another brand's ids, matching and running from events, idempotency, the loop limit, waits on the
application clock, a failing step retried then failed, run history."""

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


def _person(admin: Any, name: str, tags: list[str] | None = None) -> str:
    import uuid

    reply = call(CRM, "POST", "/v1/contacts", principal=admin,
                 body={"name": name, "email": f"{uuid.uuid4().hex[:10]}@example.com", "tags": tags or []})
    assert reply.status == 201, reply.body
    return reply.body["id"]


def _automation(admin: Any, **body: Any) -> dict[str, Any]:
    reply = call(API, "POST", "/v1/automations", principal=admin, body={"name": "Prueba", **body})
    assert reply.status == 201, reply.body
    return reply.body


def _tag_event(tenant: str, person_id: str, added: list[str], *, chain: Any = None, event_id: str | None = None):
    from skailan.platform.events import CausalChain, DomainEvent

    fields: dict[str, Any] = {}
    if event_id:
        fields["id"] = event_id
    return DomainEvent(tenant_id=tenant, source="skailan.crm", type="contact.updated", entity_type="contact",
                       entity_id=person_id, data={"changed": ["tags"], "tags_added": added, "tags_removed": []},
                       chain=CausalChain(**chain) if chain else None, **fields)


def _runs(admin: Any, automation_id: str, **query: Any) -> list[dict[str, Any]]:
    reply = call(API, "GET", f"/v1/automations/{automation_id}/runs", principal=admin, query=query or None)
    assert reply.status == 200, reply.body
    return reply.body["items"]


def test_crud_versions_and_another_brands_ids(demo):
    admin, other = demo["admin@demo.local"], demo["admin@acme.local"]
    created = _automation(admin, trigger={"type": "tag_added", "tag": "Llamar nuevamente"},
                          steps=[{"type": "create_task", "title": "Llamar", "due_in_minutes": 60}])
    assert created["version"] == 1 and created["status"] == "active" and created["trigger"]["tag"] == "Llamar nuevamente"
    automation_id = created["id"]
    assert call(API, "GET", f"/v1/automations/{automation_id}", principal=admin).body["name"] == "Prueba"
    listed = call(API, "GET", "/v1/automations", principal=admin, query={"limit": 100}).body
    assert automation_id in [a["id"] for a in listed["items"]]

    renamed = call(API, "PATCH", f"/v1/automations/{automation_id}", principal=admin, body={"name": "Otra"}).body
    assert renamed["name"] == "Otra" and renamed["version"] == 1  # no new definition: same version
    edited = call(API, "PATCH", f"/v1/automations/{automation_id}", principal=admin,
                  body={"steps": [{"type": "add_tag", "tag": "seguimiento"}]}).body
    assert edited["version"] == 2
    versions = call(API, "GET", f"/v1/automations/{automation_id}/versions", principal=admin).body["items"]
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[1]["definition"]["steps"][0]["type"] == "create_task"

    # another brand: every route answers 404, the list does not show it
    for method, path, body in (("GET", f"/v1/automations/{automation_id}", None),
                               ("PATCH", f"/v1/automations/{automation_id}", {"name": "x"}),
                               ("DELETE", f"/v1/automations/{automation_id}", None),
                               ("GET", f"/v1/automations/{automation_id}/runs", None),
                               ("GET", f"/v1/automations/{automation_id}/versions", None),
                               ("POST", f"/v1/automations/{automation_id}/run", {"person_id": "01ABC"})):
        assert call(API, method, path, principal=other, body=body).status == 404, (method, path)
    assert automation_id not in [a["id"] for a in call(API, "GET", "/v1/automations", principal=other).body["items"]]
    assert call(API, "GET", "/v1/automation-runs", principal=other, query={"automation_id": automation_id}).status == 404

    # permissions: an agent cannot read automations, an operator neither
    assert call(API, "GET", "/v1/automations", principal=demo["agent1@demo.local"]).status == 403
    assert call(API, "DELETE", f"/v1/automations/{automation_id}", principal=admin).status == 204
    assert call(API, "GET", f"/v1/automations/{automation_id}", principal=admin).status == 404


def test_bad_input_names_the_part(demo):
    admin = demo["admin@demo.local"]
    unknown = call(API, "POST", "/v1/automations", principal=admin,
                   body={"name": "x", "trigger": {"type": "nope"}, "steps": [{"type": "stop"}]})
    assert unknown.status == 422 and unknown.body["error"]["details"][0]["field"].startswith("trigger")
    wait = call(API, "POST", "/v1/automations", principal=admin,
                body={"name": "x", "trigger": {"type": "manual"}, "steps": [{"type": "wait"}]})
    assert wait.status == 422 and wait.body["error"]["details"][0]["field"].startswith("steps.0")
    rule = call(API, "POST", "/v1/automations", principal=admin,
                body={"name": "x", "trigger": {"type": "manual"}, "conditions": {"all": [{"field": "tags", "op": "gt"}]},
                      "steps": [{"type": "stop"}]})
    assert rule.status == 422 and rule.body["error"]["details"][0]["field"] == "conditions"
    user = call(API, "POST", "/v1/automations", principal=admin,
                body={"name": "x", "trigger": {"type": "manual"},
                      "steps": [{"type": "add_tag", "tag": "a"},
                                {"type": "notify_user", "user_id": "nobody", "message": "hola"}]})
    assert user.status == 422 and user.body["error"]["details"][0]["field"] == "steps.1.notify_user.user_id"
    window = call(API, "POST", "/v1/automations", principal=admin,
                  body={"name": "x", "trigger": {"type": "tag_added", "tag": "a"},
                        "steps": [{"type": "send_message", "text": "hola"}]})
    assert window.status == 422 and window.body["error"]["details"][0]["error"] == "outside_reply_window"
    late = call(API, "POST", "/v1/automations", principal=admin,
                body={"name": "x", "trigger": {"type": "message_received", "keywords": ["hola"]},
                      "steps": [{"type": "wait", "minutes": 1500}, {"type": "send_message", "text": "hola"}]})
    assert late.status == 422 and late.body["error"]["details"][0]["field"] == "steps.1.send_message"
    extra = call(API, "POST", "/v1/automations", principal=admin,
                 body={"name": "x", "trigger": {"type": "manual"}, "steps": [{"type": "stop"}], "tenant_id": "acme"})
    assert extra.status == 422
    null = call(API, "POST", "/v1/automations", principal=admin,
                body={"name": None, "trigger": {"type": "manual"}, "steps": [{"type": "stop"}]})
    assert null.status == 422
    query = call(API, "GET", "/v1/automations", principal=admin, query={"bogus": 1})
    assert query.status == 400 and query.body["error"]["code"] == "unknown_query_parameter"


def test_event_runs_once_and_records_history(demo):
    from skailan.automations.engine import on_event

    admin = demo["admin@demo.local"]
    automation = _automation(admin, trigger={"type": "tag_added", "tag": "VIP"},
                             steps=[{"type": "add_tag", "tag": "atendido"}])
    person_id = _person(admin, "Ana Pérez")
    event = _tag_event("demo", person_id, ["vip"], event_id="01EVENTONCE000000000000001")
    results = [on_event(event) for _ in range(5)]
    assert results[0]["started"] == 1 and all(r.get("duplicate") == 1 for r in results[1:])
    runs = _runs(admin, automation["id"])
    assert len(runs) == 1 and runs[0]["status"] == "completed" and runs[0]["person_id"] == person_id
    assert runs[0]["steps"][0]["type"] == "add_tag" and runs[0]["steps"][0]["status"] == "completed"
    person = call(CRM, "GET", f"/v1/contacts/{person_id}", principal=admin).body
    assert "atendido" in person["tags"]
    # another brand's event with the same tag never reaches this brand's automation
    assert on_event(_tag_event("acme", person_id, ["vip"]))["matched"] == 0
    # filters
    assert _runs(admin, automation["id"], status="failed") == []
    assert len(_runs(admin, automation["id"], person_id=person_id)) == 1
    brand = call(API, "GET", "/v1/automation-runs", principal=admin, query={"person_id": person_id}).body["items"]
    assert [r["id"] for r in brand] == [runs[0]["id"]]
    run_path = f"/v1/automations/{automation['id']}/runs/{runs[0]['id']}"
    assert call(API, "GET", run_path, principal=admin).body["id"] == runs[0]["id"]
    other = demo["admin@acme.local"]
    assert call(API, "GET", run_path, principal=other).status == 404
    assert call(API, "POST", f"{run_path}/retry", principal=other).status == 404
    assert call(API, "GET", "/v1/automation-runs", principal=other, query={"person_id": person_id}).body["items"] == []


def test_conditions_explain_why_not(demo):
    from skailan.automations.engine import on_event

    admin = demo["admin@demo.local"]
    automation = _automation(admin, trigger={"type": "tag_added", "tag": "lead"},
                             conditions={"all": [{"field": "tags", "op": "has_tag", "value": "premium"}]},
                             steps=[{"type": "add_tag", "tag": "contactar"}])
    person_id = _person(admin, "Beto Ruiz", ["lead"])
    on_event(_tag_event("demo", person_id, ["lead"]))
    runs = _runs(admin, automation["id"])
    assert runs[0]["status"] == "stopped" and runs[0]["reason"].startswith("No se ejecutó porque: la etiqueta no coincide")
    assert runs[0]["steps"] == []


def test_a_run_and_its_event_are_one_transaction_and_a_stale_save_writes_none(demo):
    from skailan.automations import engine, store
    from skailan.automations.catalogue import RUN_STOPPED
    from skailan.platform.storage import ConditionFailed
    from tests.support import OutboxWatch, dynamodb_requests

    admin = demo["admin@demo.local"]
    automation = _automation(admin, trigger={"type": "tag_added", "tag": "lead"},
                             conditions={"all": [{"field": "tags", "op": "has_tag", "value": "vip-outbox"}]},
                             steps=[{"type": "add_tag", "tag": "contactar"}])
    person_id = _person(admin, "Rut Outbox", ["lead"])
    engine.on_event(_tag_event("demo", person_id, ["lead"]))  # a run, stopped by its conditions
    run_id = _runs(admin, automation["id"])[0]["id"]
    outbox = OutboxWatch(store.table_name())
    # A save with events is ONE request: the run (revision-checked) and its outbox item
    run = store.get_run("demo", automation["id"], run_id, consistent=True)
    stale = store.get_run("demo", automation["id"], run_id, consistent=True)
    run.reason = "otra razón"
    outbox.mark()
    with dynamodb_requests() as sent:
        store.save_run(run, [engine._run_event(run, RUN_STOPPED)])
    assert sent == ["TransactWriteItems"]
    assert [(e.type, e.entity_id, e.data["reason"]) for e in outbox.events()] == [(RUN_STOPPED, run_id, "otra razón")]
    assert store.get_run("demo", automation["id"], run_id, consistent=True).revision == stale.revision + 1
    # A worker holding the older revision is refused whole: no event of its own
    outbox.mark()
    with pytest.raises(ConditionFailed):
        store.save_run(stale, [engine._run_event(stale, RUN_STOPPED)])
    assert outbox.types() == []


def test_looping_automations_stop_at_depth_five(demo):
    """A: tag a → remove a, add b; B: tag b → remove b, add a. Each run's events carry the chain."""
    from skailan.automations.engine import on_event
    from skailan.platform.events import DomainEvent
    from tests.support import OutboxWatch

    admin = demo["admin@demo.local"]
    a = _automation(admin, trigger={"type": "tag_added", "tag": "bucle-a"},
                    steps=[{"type": "remove_tag", "tag": "bucle-a"}, {"type": "add_tag", "tag": "bucle-b"}])
    b = _automation(admin, trigger={"type": "tag_added", "tag": "bucle-b"},
                    steps=[{"type": "remove_tag", "tag": "bucle-b"}, {"type": "add_tag", "tag": "bucle-a"}])
    person_id = _person(admin, "Carla Loop")
    from skailan.platform.settings import get_settings

    watch = OutboxWatch(get_settings().contacts_table)
    pending: list[DomainEvent] = [_tag_event("demo", person_id, ["bucle-a"])]
    handled = 0
    while pending and handled < 50:  # the bus, by hand: every event the runs caused goes back in
        on_event(pending.pop(0))
        handled += 1
        fresh = [e for e in watch.events() if e.type == "contact.updated"]
        watch.mark()
        pending += fresh
    assert handled < 50, "the loop did not stop"
    runs = _runs(admin, a["id"]) + _runs(admin, b["id"])
    depths = sorted(r["depth"] for r in runs)
    assert depths == [1, 2, 3, 4, 5, 6]
    stopped = [r for r in runs if r["status"] == "stopped"]
    assert len(stopped) == 1 and stopped[0]["depth"] == 6 and "límite de 5" in stopped[0]["reason"]
    assert all(r["status"] == "completed" for r in runs if r["depth"] <= 5)


def test_wait_resumes_when_the_clock_moves(demo):
    from skailan.automations.engine import on_event, resume_due
    from skailan.platform import clock

    admin = demo["admin@demo.local"]
    automation = _automation(admin, trigger={"type": "tag_added", "tag": "esperar"},
                             steps=[{"type": "wait", "minutes": 60}, {"type": "add_tag", "tag": "despues"}])
    person_id = _person(admin, "Dora Espera")
    on_event(_tag_event("demo", person_id, ["esperar"]))
    run = _runs(admin, automation["id"])[0]
    assert run["status"] == "waiting" and run["wait_until"]
    assert resume_due()["resumed"] == 0
    # an edit meanwhile publishes version 2; the waiting run continues on version 1
    call(API, "PATCH", f"/v1/automations/{automation['id']}", principal=admin,
         body={"steps": [{"type": "add_tag", "tag": "otra-version"}]})
    clock.advance(61 * 60)
    assert resume_due()["resumed"] == 1
    run = _runs(admin, automation["id"])[0]
    assert run["status"] == "completed" and run["version"] == 1
    tags = call(CRM, "GET", f"/v1/contacts/{person_id}", principal=admin).body["tags"]
    assert "despues" in tags and "otra-version" not in tags


def test_failing_webhook_is_retried_then_failed_and_later_steps_do_not_run(demo, monkeypatch):
    import httpx
    import respx

    from skailan.automations import engine
    from skailan.channels import fetch
    from skailan.platform import clock

    monkeypatch.setattr(fetch, "resolve_host", lambda host, port: ["93.184.216.34"])
    admin = demo["admin@demo.local"]
    automation = _automation(admin, trigger={"type": "tag_added", "tag": "hook"},
                             steps=[{"type": "call_webhook", "url": "https://hooks.example.com/in"},
                                    {"type": "add_tag", "tag": "no-debe"}])
    person_id = _person(admin, "Eva Hook")
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post("https://93.184.216.34/in").mock(return_value=httpx.Response(503))
        engine.on_event(_tag_event("demo", person_id, ["hook"]))
        assert _runs(admin, automation["id"])[0]["status"] == "waiting"
        for _ in range(2):
            clock.advance(301)
            engine.resume_due()
        assert route.call_count == 3
        sent = route.calls[0].request
        secret = call(API, "GET", f"/v1/automations/{automation['id']}", principal=admin).body["webhook_secret"]
        assert sent.headers["x-skailan-signature"] == engine.signature(secret, sent.content)
        assert sent.headers["host"] == "hooks.example.com"
    run = _runs(admin, automation["id"])[0]
    assert run["status"] == "failed" and "503" in run["reason"]
    assert [s["type"] for s in run["steps"]] == ["call_webhook"] and run["steps"][0]["attempts"] == 3
    assert "no-debe" not in call(CRM, "GET", f"/v1/contacts/{person_id}", principal=admin).body["tags"]
    # a retry of the failed step (the endpoint works now) runs it and the steps after it, once
    with respx.mock() as mock:
        mock.post("https://93.184.216.34/in").mock(return_value=httpx.Response(200))
        retried = call(API, "POST", f"/v1/automations/{automation['id']}/runs/{run['id']}/retry", principal=admin)
    assert retried.status == 200 and retried.body["status"] == "completed", retried.body
    assert "no-debe" in call(CRM, "GET", f"/v1/contacts/{person_id}", principal=admin).body["tags"]
    again = call(API, "POST", f"/v1/automations/{automation['id']}/runs/{run['id']}/retry", principal=admin)
    assert again.status == 409


def test_unsafe_webhook_url_is_refused_at_save(demo, monkeypatch):
    from skailan.channels import fetch

    monkeypatch.setattr(fetch, "resolve_host", lambda host, port: ["10.0.0.5"])
    reply = call(API, "POST", "/v1/automations", principal=demo["admin@demo.local"],
                 body={"name": "x", "trigger": {"type": "manual"},
                       "steps": [{"type": "call_webhook", "url": "https://internal.example.com/x"}]})
    assert reply.status == 422 and reply.body["error"]["details"][0]["field"] == "steps.0.call_webhook.url"


def test_manual_run_branch_and_task_for_the_operator(demo):
    admin = demo["admin@demo.local"]
    operator = demo["operator@demo.local"]
    automation = _automation(admin, trigger={"type": "manual"}, steps=[
        {"type": "branch", "conditions": {"all": [{"field": "tags", "op": "has_tag", "value": "Llamar nuevamente"}]},
         "then": [{"type": "create_task", "title": "Volver a llamar", "due_in_minutes": 30,
                   "assignee_id": operator.sub}],
         "else": [{"type": "add_tag", "tag": "sin-llamada"}]}])
    caller_person = _person(admin, "Fabio Call", ["Llamar nuevamente"])
    run = call(API, "POST", f"/v1/automations/{automation['id']}/run", principal=admin,
               body={"person_id": caller_person})
    assert run.status == 201 and run.body["status"] == "completed", run.body
    branch, task = run.body["steps"]
    assert branch["output"]["matched"] is True and task["type"] == "create_task"
    assert task["output"]["assignee_id"] == operator.sub
    other = _person(admin, "Gina Else")
    run = call(API, "POST", f"/v1/automations/{automation['id']}/run", principal=admin, body={"person_id": other})
    assert [s["type"] for s in run.body["steps"]] == ["branch", "add_tag"]
    assert call(API, "POST", f"/v1/automations/{automation['id']}/run", principal=demo["admin@acme.local"],
                body={"person_id": other}).status == 404


def test_caps_stop_runs_and_repeated_caps_pause_with_an_alert(demo, monkeypatch):
    from skailan.automations import engine
    from skailan.platform.settings import get_settings

    capped = get_settings().model_copy(update={"automation_person_runs_per_hour": 2, "automation_strikes_to_pause": 3})
    monkeypatch.setattr(engine, "get_settings", lambda: capped)
    admin = demo["admin@demo.local"]
    automation = _automation(admin, trigger={"type": "tag_added", "tag": "tope"}, steps=[{"type": "stop"}])
    person_id = _person(admin, "Hugo Tope")
    for _ in range(5):
        engine.on_event(_tag_event("demo", person_id, ["tope"]))
    runs = _runs(admin, automation["id"])
    statuses = sorted(r["status"] for r in runs)
    assert statuses == ["completed", "completed", "stopped", "stopped", "stopped"]
    assert all("límite de 2 ejecuciones por hora" in r["reason"] for r in runs if r["status"] == "stopped")
    paused = call(API, "GET", f"/v1/automations/{automation['id']}", principal=admin).body
    assert paused["status"] == "paused" and "Pausada" in paused["paused_reason"]
    # paused: off the trigger index, so later events do not even match it
    assert engine.on_event(_tag_event("demo", person_id, ["tope"]))["matched"] == 0
    # the creator got a notice
    from skailan.conversations.store.inbox_items import NotificationItem, feed_pk

    notices = [n for n in NotificationItem.query(feed_pk("demo", admin.sub)) if n.type == "automation_paused"]
    assert notices and notices[0].data["automation_id"] == automation["id"]
    resumed = call(API, "PATCH", f"/v1/automations/{automation['id']}", principal=admin, body={"active": True}).body
    assert resumed["status"] == "active"


def test_worker_handles_sqs_records_and_reports_failures(demo):
    import json

    from skailan.platform.events import DomainEvent
    from tests.support import FakeContext, handler_of

    admin = demo["admin@demo.local"]
    automation = _automation(admin, trigger={"type": "message_received", "keywords": ["precio"]},
                             event_conditions=[{"field": "channel", "op": "eq", "value": "whatsapp"}],
                             steps=[{"type": "add_tag", "tag": "precio-sqs"}])
    person_id = _person(admin, "Iris Cola")

    def record(message_id: str, event: DomainEvent | None) -> dict[str, Any]:
        body = json.dumps({"detail-type": "message.received", "source": "skailan.conversations",
                           "detail": json.loads(event.model_dump_json())}) if event else "{not json"
        return {"messageId": message_id, "body": body, "attributes": {"ApproximateReceiveCount": "1"}}

    def message(text: str, channel: str) -> DomainEvent:
        return DomainEvent(tenant_id="demo", source="skailan.conversations", type="message.received",
                           data={"conversation_id": "c-none", "person_id": person_id, "text": text, "channel": channel,
                                 "message_id": "m1", "type": "text", "provider_message_id": "p1"})

    result = handler_of("workers/automations")({"Records": [
        record("ok", message("¿Cuál es el PRECIO?", "whatsapp")), record("bad", None),
        record("other-channel", message("precio", "telegram")), record("no-keyword", message("hola", "whatsapp"))]},
        FakeContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    runs = _runs(admin, automation["id"])
    assert [r["status"] for r in runs] == ["stopped", "completed"]  # newest first
    assert "channel" in runs[0]["reason"]
    assert "precio-sqs" in call(CRM, "GET", f"/v1/contacts/{person_id}", principal=admin).body["tags"]


def test_inbound_webhook_needs_its_secret(demo):
    from tests.support import http_event, invoke

    admin = demo["admin@demo.local"]
    automation = _automation(admin, trigger={"type": "webhook"}, steps=[{"type": "add_tag", "tag": "desde-hook"}])
    hook_url, secret = automation["webhook_url"], automation["webhook_secret"]
    assert hook_url and secret
    person_id = _person(admin, "Juan Hook")

    def post(body: Any, given: str | None) -> Any:
        event = http_event("POST", hook_url, body=body)
        if given is not None:
            event["headers"]["x-skailan-secret"] = given
        return invoke(API, event)

    assert post({"person_id": person_id}, "wrong").status == 404
    assert post({"person_id": person_id}, None).status == 404
    accepted = post({"person_id": person_id, "origen": "web"}, secret)
    assert accepted.status == 202 and accepted.body["status"] == "accepted", accepted.body
    run = _runs(admin, automation["id"])[0]
    assert run["id"] == accepted.body["run_id"] and run["status"] == "completed"
    assert "desde-hook" in call(CRM, "GET", f"/v1/contacts/{person_id}", principal=admin).body["tags"]


def test_seeded_llamar_nuevamente_creates_a_follow_up_task_for_the_operator(demo):
    from skailan.automations.demo import NAME
    from skailan.automations.engine import on_event
    from skailan.platform.settings import get_settings
    from tests.support import OutboxWatch

    admin, operator = demo["admin@demo.local"], demo["operator@demo.local"]
    seeded = [a for a in call(API, "GET", "/v1/automations", principal=admin, query={"limit": 100}).body["items"]
              if a["name"] == NAME]
    assert len(seeded) == 1
    person_id = _person(admin, "Karla Nota")
    # The operator saves a note with the seeded lead note template "Llamar nuevamente": its tag goes on
    # the person through the CRM, whose contact.updated (the operator its actor) the worker gets.
    templates = call("api/lead_flow", "GET", "/v1/lead-flow/note-templates", principal=operator).body["items"]
    template = next(t for t in templates if t["title"] == "Llamar nuevamente")
    crm_events = OutboxWatch(get_settings().contacts_table)
    note = call("api/lead_flow", "POST", f"/v1/lead-flow/leads/{person_id}/notes", principal=operator,
                body={"template_id": template["id"]})
    assert note.status == 201 and note.body["tags_applied"] == ["Llamar nuevamente"], note.body
    event = next(e for e in crm_events.events() if e.type == "contact.updated")
    assert event.actor.kind == "user" and event.actor.id == operator.sub
    on_event(event)
    run = _runs(admin, seeded[0]["id"], person_id=person_id)[0]
    assert run["status"] == "completed", run
    task_id = run["steps"][0]["output"]["task_id"]
    task = call("api/sales", "GET", f"/v1/tasks/{task_id}", principal=admin).body
    assert task["assignee_id"] == operator.sub and task["title"] == "Volver a llamar a Karla Nota"
    assert task["person_id"] == person_id and task["type_id"] == "follow_up" and task["due_at"]


def test_zoho_kinds_scoring_points_and_assignment_round_robin(demo):
    from skailan.automations.engine import on_event

    admin = demo["admin@demo.local"]
    field = call(CRM, "POST", "/v1/crm/fields", principal=admin,
                 body={"key": "puntaje", "label": "Puntaje", "type": "number"})
    assert field.status in (201, 409), field.body
    wrong = call(API, "POST", "/v1/automations", principal=admin,
                 body={"name": "x", "kind": "scoring", "trigger": {"type": "tag_added", "tag": "abrio"},
                       "steps": [{"type": "add_score", "field": "nombre_inexistente", "points": 5}]})
    assert wrong.status == 422 and wrong.body["error"]["details"][0]["field"] == "steps.0.add_score.field"
    missing = call(API, "POST", "/v1/automations", principal=admin,
                   body={"name": "x", "kind": "assignment", "trigger": {"type": "person_created"},
                         "steps": [{"type": "stop"}]})
    assert missing.status == 422 and missing.body["error"]["details"][0]["error"] == "kind_needs_step"
    scoring = _automation(admin, kind="scoring", trigger={"type": "tag_added", "tag": "abrio-correo"},
                          steps=[{"type": "add_score", "field": "puntaje", "points": 5}])
    assert scoring["kind"] == "scoring"
    users = [demo["agent1@demo.local"].sub, demo["agent2@demo.local"].sub]
    assignment = _automation(admin, kind="assignment", trigger={"type": "tag_added", "tag": "reparto"},
                             steps=[{"type": "assign_owner", "user_ids": users}])
    person_id = _person(admin, "Luis Puntos")
    on_event(_tag_event("demo", person_id, ["abrio-correo"]))
    on_event(_tag_event("demo", person_id, ["abrio-correo"]))
    assert call(CRM, "GET", f"/v1/contacts/{person_id}", principal=admin).body["custom"]["puntaje"] == 10
    owners = []
    for n in range(3):
        somebody = _person(admin, f"Reparto {n}")
        on_event(_tag_event("demo", somebody, ["reparto"]))
        owners.append(call(CRM, "GET", f"/v1/contacts/{somebody}", principal=admin).body["owner_id"])
    assert owners == [users[0], users[1], users[0]]
    assert _runs(admin, assignment["id"])[0]["steps"][0]["output"]["owner_id"] == users[0]


def test_a_run_left_running_by_a_crashed_worker_continues_on_redelivery(demo, monkeypatch):
    from skailan.automations import engine
    from skailan.platform import clock

    admin = demo["admin@demo.local"]
    automation = _automation(admin, trigger={"type": "tag_added", "tag": "caida"},
                             steps=[{"type": "add_tag", "tag": "paso-1"}, {"type": "add_tag", "tag": "paso-2"}])
    person_id = _person(admin, "Mario Caída")
    event = _tag_event("demo", person_id, ["caida"], event_id="01EVENTCRASH00000000000001")
    real = engine.perform

    def crash_on_second(run, ins, auto):
        if ins["tag"] == "paso-2":
            raise SystemExit("worker killed")  # not an Exception: nothing records it, like a crash
        return real(run, ins, auto)

    monkeypatch.setattr(engine, "perform", crash_on_second)
    with pytest.raises(SystemExit):
        engine.on_event(event)
    monkeypatch.setattr(engine, "perform", real)
    assert _runs(admin, automation["id"])[0]["status"] == "running"
    assert engine.on_event(event)["duplicate"] == 1  # too soon: the worker may still be at it
    clock.advance(180)
    assert engine.on_event(event)["started"] == 1
    run = _runs(admin, automation["id"])
    assert len(run) == 1 and run[0]["status"] == "completed"
    assert [s["type"] for s in run[0]["steps"]] == ["add_tag", "add_tag"]
    tags = call(CRM, "GET", f"/v1/contacts/{person_id}", principal=admin).body["tags"]
    assert "paso-1" in tags and "paso-2" in tags


def test_once_per_person_time_of_day_and_templates_checked_at_save(demo):
    from skailan.automations.engine import on_event

    admin = demo["admin@demo.local"]
    once = _automation(admin, trigger={"type": "tag_added", "tag": "bienvenida"}, once_per_person=True,
                       event_conditions=[{"field": "hour", "op": "in", "value": list(range(24))}],
                       steps=[{"type": "add_tag", "tag": "saludado"}])
    never = _automation(admin, trigger={"type": "tag_added", "tag": "bienvenida"},
                        event_conditions=[{"field": "hour", "op": "in", "value": []}], steps=[{"type": "stop"}])
    person_id = _person(admin, "Nora Una Vez")
    for _ in range(3):  # three different events (ids): once per person still runs once
        on_event(_tag_event("demo", person_id, ["bienvenida"]))
    assert [r["status"] for r in _runs(admin, once["id"])] == ["completed"]
    assert {r["status"] for r in _runs(admin, never["id"])} == {"stopped"}
    assert "hour" in _runs(admin, never["id"])[0]["reason"]
    unknown = call(API, "POST", "/v1/automations", principal=admin,
                   body={"name": "x", "trigger": {"type": "message_received"},
                         "steps": [{"type": "send_whatsapp_template", "name": "no-existe", "language": "es"}]})
    assert unknown.status == 422
    assert unknown.body["error"]["details"][0]["field"] == "steps.0.send_whatsapp_template.name"
    known = call(API, "POST", "/v1/automations", principal=admin,
                 body={"name": "x", "trigger": {"type": "message_received"},
                       "steps": [{"type": "send_whatsapp_template", "name": "seguimiento", "language": "es",
                                  "parameters": ["{{nombre}}"]}]})
    assert known.status == 201, known.body


def test_an_automation_too_large_for_its_item_is_refused(demo):
    steps = [{"type": "branch", "conditions": {"all": []},
              "then": [{"type": "notify_user", "user_id": "u", "message": "x" * 500}] * 40,
              "else": [{"type": "add_tag", "tag": "t"}] * 40}] * 10
    reply = call(API, "POST", "/v1/automations", principal=demo["admin@demo.local"],
                 body={"name": "grande", "trigger": {"type": "manual"}, "steps": steps})
    assert reply.status == 422 and reply.body["error"]["code"] == "automation_too_large"


def test_create_deal_for_the_person_and_move_deal_needs_a_deal_trigger(demo):
    admin = demo["admin@demo.local"]
    refused = call(API, "POST", "/v1/automations", principal=admin,
                   body={"name": "x", "trigger": {"type": "manual"},
                         "steps": [{"type": "move_deal", "stage_id": "won"}]})
    assert refused.status == 422 and refused.body["error"]["details"][0]["error"] == "needs_deal_trigger"
    automation = _automation(admin, trigger={"type": "manual"},
                             steps=[{"type": "create_deal", "title": "Oportunidad {{nombre}}", "amount": 1500.5,
                                     "owner_id": admin.sub}])
    person_id = _person(admin, "Olga Negocio")
    run = call(API, "POST", f"/v1/automations/{automation['id']}/run", principal=admin, body={"person_id": person_id})
    assert run.status == 201 and run.body["status"] == "completed", run.body
    deal_id = run.body["steps"][0]["output"]["deal_id"]
    deal = call("api/sales", "GET", f"/v1/deals/{deal_id}", principal=admin).body
    assert deal["title"] == "Oportunidad Olga Negocio" and deal["person_id"] == person_id
    assert float(deal["amount"]) == 1500.5 and deal["owner_id"] == admin.sub
