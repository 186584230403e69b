"""Tasks: types, "my tasks", tasks on people and deals, reminders and overdue escalation by the
every-minute job — through the real handlers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support import FakeContext, call, handler_of, sample_event

CRM = "api/crm"
SALES = "api/sales"


def _at(minutes: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.fixture
def events(monkeypatch):
    """The CRM's events as handed to the contacts table's outbox (in a write's transaction or
    alone), in order."""
    from skailan.platform import outbox
    from skailan.platform.settings import get_settings

    published = []
    real = outbox.items

    def capture(batch, table_name):
        batch = list(batch)
        if table_name == get_settings().contacts_table:
            published.extend(batch)
        return real(batch, table_name)

    monkeypatch.setattr(outbox, "items", capture)
    return published


def test_builtin_and_brand_task_types(demo):
    admin = demo["admin@demo.local"]
    listed = call(SALES, "GET", "/v1/tasks/types", principal=admin).body["items"]
    assert {"id": "call", "name": "Llamada", "color": None, "builtin": True} in listed
    created = call(SALES, "POST", "/v1/tasks/types", principal=admin, body={"name": "Cotización", "color": "#22aa44"})
    assert created.status == 201
    type_id = created.body["id"]
    assert call(SALES, "PATCH", f"/v1/tasks/types/{type_id}", principal=admin, body={"name": "Cotizar"}).body["name"] \
        == "Cotizar"
    assert call(SALES, "PATCH", "/v1/tasks/types/call", principal=admin, body={"name": "x"}).status == 409
    # built-in ids with letters outside Crockford's alphabet ("l", "o", "u") are ids like any other
    assert call(SALES, "PATCH", "/v1/tasks/types/follow_up", principal=admin, body={"name": "x"}).status == 409
    follow = call(SALES, "POST", "/v1/tasks", principal=admin, body={"title": "Seguir", "type_id": "follow_up"})
    assert follow.status == 201 and follow.body["type_name"] == "Seguimiento", follow.body
    assert call(SALES, "POST", "/v1/tasks/types", principal=admin, body={"name": "x", "color": "verde"}).status == 422
    assert call(SALES, "DELETE", f"/v1/tasks/types/{type_id}", principal=demo["admin@acme.local"]).status == 404
    assert call(SALES, "DELETE", f"/v1/tasks/types/{type_id}", principal=admin).status == 204


def test_my_tasks_by_due_time_with_status_and_overdue_filters(demo):
    agent = demo["agent2@demo.local"]
    later = call(SALES, "POST", "/v1/tasks", principal=agent, body={"title": "Después", "due_at": _at(120)}).body
    sooner = call(SALES, "POST", "/v1/tasks", principal=agent,
                  body={"title": "Antes", "due_at": _at(30), "type_id": "call"}).body
    late = call(SALES, "POST", "/v1/tasks", principal=agent, body={"title": "Atrasada", "due_at": _at(-30)}).body
    undated = call(SALES, "POST", "/v1/tasks", principal=agent, body={"title": "Sin fecha"}).body
    assert sooner["assignee_id"] == agent.sub and sooner["type_name"] == "Llamada"
    mine = call(SALES, "GET", "/v1/tasks", principal=agent, query={"assignee": "me"}).body["items"]
    assert [t["id"] for t in mine] == [late["id"], sooner["id"], later["id"], undated["id"]]
    assert [t["overdue"] for t in mine] == [True, False, False, False]
    overdue = call(SALES, "GET", "/v1/tasks", principal=agent, query={"overdue": "true"}).body["items"]
    assert [t["id"] for t in overdue] == [late["id"]]

    done = call(SALES, "PATCH", f"/v1/tasks/{late['id']}", principal=agent, body={"status": "done"})
    assert done.status == 200 and done.body["status"] == "done" and done.body["done_at"]
    assert late["id"] not in [t["id"] for t in call(SALES, "GET", "/v1/tasks", principal=agent).body["items"]]
    assert [t["id"] for t in call(SALES, "GET", "/v1/tasks", principal=agent, query={"status": "done"}).body["items"]] \
        == [late["id"]]
    # a supervisor reads someone else's tasks by user id
    theirs = call(SALES, "GET", "/v1/tasks", principal=demo["supervisor@demo.local"], query={"assignee": agent.sub})
    assert len(theirs.body["items"]) == 3


def test_tasks_on_a_person_and_a_deal(demo, events):
    admin = demo["admin@demo.local"]
    person = call(CRM, "POST", "/v1/contacts", principal=admin, body={"name": "Nora Paz", "email": "nora@tasks.example"})
    deal = call(SALES, "POST", "/v1/deals", principal=admin, body={"title": "Contrato Nora"}).body
    task = call(SALES, "POST", "/v1/tasks", principal=admin, body={
        "title": "Llamar a Nora", "type_id": "call", "person_id": person.body["id"], "deal_id": deal["id"],
        "assignee_id": demo["agent1@demo.local"].sub, "due_at": "2030-01-15T15:00:00-05:00"})
    assert task.status == 201, task.body
    assert task.body["due_at"] == "2030-01-15T20:00:00.000Z"
    assert [e.type for e in events][-1] == "task.created"
    by_person = call(SALES, "GET", "/v1/tasks", principal=admin, query={"person_id": person.body["id"]}).body["items"]
    by_deal = call(SALES, "GET", "/v1/tasks", principal=admin, query={"deal_id": deal["id"]}).body["items"]
    assert [t["id"] for t in by_person] == [t["id"] for t in by_deal] == [task.body["id"]]
    call(SALES, "PATCH", f"/v1/tasks/{task.body['id']}", principal=admin, body={"status": "done"})
    assert "task.completed" in [e.type for e in events]
    timeline = call(CRM, "GET", f"/v1/contacts/{person.body['id']}/timeline", principal=admin).body["items"]
    assert {"task_created", "task_done"} <= {t["kind"] for t in timeline}
    # moving the task off the deal removes it from the deal's list
    call(SALES, "PATCH", f"/v1/tasks/{task.body['id']}", principal=admin, body={"deal_id": None})
    assert call(SALES, "GET", "/v1/tasks", principal=admin,
                query={"deal_id": deal["id"], "status": "all"}).body["items"] == []


def test_reminders_and_overdue_escalation_fire_once_each(demo, events):
    from skailan.crm.sales.tasks import run_alarms

    agent = demo["agent1@demo.local"]
    supervisor = demo["supervisor@demo.local"]
    task = call(SALES, "POST", "/v1/tasks", principal=agent, body={
        "title": "Enviar cotización", "due_at": _at(60), "remind_at": _at(30)}).body
    events.clear()

    assert run_alarms(_at(0))["reminders"] == 0
    first = run_alarms(_at(31))
    assert first["reminders"] >= 1
    reminders = [e for e in events if e.type == "task.reminder" and e.entity_id == task["id"]]
    assert len(reminders) == 1 and reminders[0].data["recipients"] == [agent.sub]
    run_alarms(_at(32))
    assert len([e for e in events if e.type == "task.reminder" and e.entity_id == task["id"]]) == 1

    run_alarms(_at(61))
    overdue = [e for e in events if e.type == "task.overdue" and e.entity_id == task["id"]]
    assert len(overdue) == 1 and overdue[0].data["recipients"] == [supervisor.sub]
    assert overdue[0].tenant_id == "demo" and overdue[0].data["assignee_id"] == agent.sub
    run_alarms(_at(90))
    assert len([e for e in events if e.type == "task.overdue" and e.entity_id == task["id"]]) == 1
    stored = call(SALES, "GET", f"/v1/tasks/{task['id']}", principal=agent).body
    assert stored["reminded_at"] and stored["escalated_at"] and stored["overdue"] is False  # not due in real time yet

    # a new due time re-arms the escalation; a completed task never escalates
    call(SALES, "PATCH", f"/v1/tasks/{task['id']}", principal=agent, body={"due_at": _at(120)})
    run_alarms(_at(121))
    assert len([e for e in events if e.type == "task.overdue" and e.entity_id == task["id"]]) == 2
    done = call(SALES, "POST", "/v1/tasks", principal=agent, body={"title": "Hecha", "due_at": _at(10)}).body
    call(SALES, "PATCH", f"/v1/tasks/{done['id']}", principal=agent, body={"status": "done"})
    run_alarms(_at(200))
    assert not [e for e in events if e.type == "task.overdue" and e.entity_id == done["id"]]


def test_the_alarm_job_queries_and_never_scans(demo, monkeypatch):
    import botocore.client

    operations = []
    real = botocore.client.BaseClient._make_api_call

    def spy(self, operation, params):
        if self.meta.service_model.service_name == "dynamodb":
            operations.append(operation)
        return real(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", spy)
    result = handler_of("jobs/task_alarms")(sample_event("TaskAlarmsFunction", "scheduled"), FakeContext())
    assert set(result) == {"reminders", "escalations", "cleared"}
    assert "Scan" not in operations and operations.count("Query") >= 4


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "x", "due_at": "mañana"}, "due_at"),
    ({"title": "x", "remind_at": "2026-02-30T10:00:00Z"}, "remind_at"),
    ({"title": "x", "type_id": "nope"}, "type_id"),
    ({"title": "x", "assignee_id": "nope"}, "assignee_id"),
    ({"title": "x", "person_id": "nope"}, "person_id"),
    ({"title": "x", "deal_id": "nope"}, "deal_id"),
    ({"title": ""}, "title"),
    ({"title": "x", "status": "done"}, "status"),
])
def test_bad_tasks_name_the_field(demo, body, field):
    reply = call(SALES, "POST", "/v1/tasks", principal=demo["admin@demo.local"], body=body)
    assert reply.status == 422, reply.body
    assert field in [d["field"] for d in reply.body["error"]["details"]]


def test_permissions_edit_to_manage_view_to_read(demo):
    operator = demo["operator@demo.local"]
    assert call(SALES, "POST", "/v1/tasks", principal=operator, body={"title": "x"}).status == 403
    assert call(SALES, "POST", "/v1/tasks/types", principal=operator, body={"name": "x"}).status == 403
    assert call(SALES, "GET", "/v1/tasks", principal=operator).status == 200
    assert call(SALES, "GET", "/v1/tasks/types", principal=operator).status == 200


@pytest.mark.parametrize(("method", "body"), [("GET", None), ("PATCH", {"title": "robada"}), ("DELETE", None)])
def test_another_brands_task_is_not_found(demo, method, body):
    admin = demo["admin@demo.local"]
    task = call(SALES, "POST", "/v1/tasks", principal=admin, body={"title": "Privada"}).body
    reply = call(SALES, method, f"/v1/tasks/{task['id']}", principal=demo["admin@acme.local"], body=body)
    assert reply.status == 404 and reply.body["error"]["code"] == "task_not_found"
    assert call(SALES, "GET", f"/v1/tasks/{task['id']}", principal=admin).body["title"] == "Privada"
    acme_mine = call(SALES, "GET", "/v1/tasks", principal=demo["admin@acme.local"],
                     query={"assignee": admin.sub}).body["items"]
    assert acme_mine == []


def test_deleting_a_task(demo):
    admin = demo["admin@demo.local"]
    deal = call(SALES, "POST", "/v1/deals", principal=admin, body={"title": "Con tarea"}).body
    task = call(SALES, "POST", "/v1/tasks", principal=admin, body={"title": "Borrable", "deal_id": deal["id"]}).body
    assert call(SALES, "DELETE", f"/v1/tasks/{task['id']}", principal=admin).status == 204
    assert call(SALES, "GET", f"/v1/tasks/{task['id']}", principal=admin).status == 404
    assert call(SALES, "GET", "/v1/tasks", principal=admin, query={"deal_id": deal["id"]}).body["items"] == []
