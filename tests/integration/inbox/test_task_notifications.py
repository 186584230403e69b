"""Issue 11 item 7: task reminders reach the assignee's notification feed and overdue tasks the
supervisors' feeds (CRM alarm job → EventBridge → inbox events worker), once each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.inbox.conftest import INBOX, pump
from tests.support import call

SALES = "api/sales"


def _at(minutes: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _feed(principal, type_: str) -> list[dict]:
    items = call(INBOX, "GET", "/v1/notifications", principal=principal).body["items"]
    return [n for n in items if n["type"] == type_]


def test_task_reminders_and_overdue_tasks_reach_the_feeds_once(demo):
    from skailan.crm.sales import tasks

    agent1, supervisor = demo["agent1@demo.local"], demo["supervisor@demo.local"]
    created = call(SALES, "POST", "/v1/tasks", principal=agent1,
                   body={"title": "Llamar a Lucía", "due_at": _at(-1), "remind_at": _at(-5), "type_id": "call"})
    assert created.status == 201, created.body
    task_id = created.body["id"]
    counts = tasks.run_alarms()
    assert counts["reminders"] >= 1 and counts["escalations"] >= 1
    pump(only="workers/inbox_events")

    (reminder,) = [n for n in _feed(agent1, "task_reminder") if n["data"].get("task_id") == task_id]
    assert "Llamar a Lucía" in reminder["text"] and "Task reminder" in reminder["text"]
    assert reminder["data"]["assignee_id"] == agent1.sub and reminder["read_at"] is None
    (overdue,) = [n for n in _feed(supervisor, "task_overdue") if n["data"].get("task_id") == task_id]
    assert "Overdue task" in overdue["text"]
    assert not [n for n in _feed(demo["agent2@demo.local"], "task_reminder") if n["data"].get("task_id") == task_id]
    # the feed's usual actions apply: read, "remind me"
    assert call(INBOX, "POST", f"/v1/notifications/{reminder['id']}/read", principal=agent1).status == 200
    # a redelivered alarm event does not notify twice; the alarm job does not fire it again
    from skailan.conversations.inbox import notifications
    from skailan.platform.events import DomainEvent

    event = DomainEvent(tenant_id="demo", source="skailan.crm", type="task.reminder", entity_type="task",
                        entity_id=task_id, occurred_at=reminder["created_at"],
                        data={"task_id": task_id, "title": "Llamar a Lucía", "recipients": [agent1.sub],
                              "dedupe_key": "x"})
    assert notifications.on_task_alarm(event) == {"notified": 1}
    assert notifications.on_task_alarm(event) == {"notified": 1}
    assert len([n for n in _feed(agent1, "task_reminder") if n["data"].get("task_id") == task_id]) == 2  # +1 (key x)
    tasks.run_alarms()
    pump(only="workers/inbox_events")
    assert len([n for n in _feed(agent1, "task_reminder") if n["data"].get("task_id") == task_id]) == 2
    # another brand never sees them
    assert not _feed(demo["admin@acme.local"], "task_overdue")
