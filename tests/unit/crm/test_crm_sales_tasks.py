"""Task alarms and the date-time input of tasks."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from skailan.crm.sales import tasks
from skailan.crm.sales.models import TaskIn
from skailan.crm.store.sales import alarm_shard
from skailan.crm.store.sales_items import TaskItem


def _task(**values) -> TaskItem:
    base = {"tenant_id": "demo", "task_id": "01JTASK00000000000000000AA", "title": "t", "assignee_id": "u1",
            "status": "open"}
    return TaskItem("T#demo#TASK#01JTASK00000000000000000AA", "TASK", **(base | values))


@pytest.mark.parametrize(("values", "alarm"), [
    ({}, None),
    ({"due_at": "2030-01-01T10:00:00.000Z"}, "2030-01-01T10:00:00.000Z"),
    ({"due_at": "2030-01-01T10:00:00.000Z", "remind_at": "2030-01-01T09:00:00.000Z"}, "2030-01-01T09:00:00.000Z"),
    ({"due_at": "2030-01-01T10:00:00.000Z", "remind_at": "2030-01-01T09:00:00.000Z",
      "reminded_at": "2030-01-01T09:00:05.000Z"}, "2030-01-01T10:00:00.000Z"),
    ({"due_at": "2030-01-01T10:00:00.000Z", "escalated_at": "2030-01-01T10:00:30.000Z"}, None),
    ({"due_at": "2030-01-01T10:00:00.000Z", "status": "done"}, None),
    ({"remind_at": "2030-01-02T09:00:00.000Z", "due_at": "2030-01-01T10:00:00.000Z"}, "2030-01-01T10:00:00.000Z"),
])
def test_the_next_alarm_is_the_earliest_pending_one(values, alarm):
    assert tasks.next_alarm(_task(**values)) == alarm


def test_the_alarm_index_is_sparse_and_sharded_by_task():
    task = _task(due_at="2030-01-01T10:00:00.000Z", person_id="P1")
    tasks._index(task)
    assert task.gsi2pk == f"TASKALARM#{alarm_shard(task.task_id)}"
    assert task.gsi2sk == f"2030-01-01T10:00:00.000Z#demo#{task.task_id}"
    assert task.gsi1pk == "T#demo#TASKS#U#u1" and task.gsi1sk.startswith("open#2030-01-01T10:00:00.000Z#")
    assert task.gsi3pk == "T#demo#TASKS#P#P1"
    task.status = "done"
    tasks._index(task)
    assert task.gsi2pk is None and task.gsi2sk is None and task.gsi1sk.startswith("done#")
    assert len({alarm_shard(f"id{i}") for i in range(200)}) == 4


@pytest.mark.parametrize(("given", "stored"), [
    ("2030-01-15T15:00:00-05:00", "2030-01-15T20:00:00.000Z"),
    ("2030-01-15T15:00:00Z", "2030-01-15T15:00:00.000Z"),
    ("2030-01-15T15:00", "2030-01-15T15:00:00.000Z"),
    ("2030-01-15", "2030-01-15T00:00:00.000Z"),
])
def test_due_times_are_stored_in_sortable_utc(given, stored):
    assert TaskIn(title="x", due_at=given).due_at == stored


@pytest.mark.parametrize("given", ["mañana", "2030-02-30T10:00:00Z", "1999-12-31T10:00:00Z", "10:00"])
def test_bad_due_times_are_refused(given):
    with pytest.raises(ValidationError) as err:
        TaskIn(title="x", due_at=given)
    assert err.value.errors()[0]["loc"] == ("due_at",)
