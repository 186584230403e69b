"""Tasks: brand task types, tasks on people and deals, "my tasks", reminders and overdue escalation.

- Task types: built-in ones (call, meeting, e-mail, WhatsApp, follow-up, visit — Spanish names)
  plus the brand's own (`T#<t>#TASKTYPES`).
- A task is its own partition `T#<t>#TASK#<id>`. gsi1 `T#<t>#TASKS#U#<assignee>` /
  `<status>#<due_at|~>#<id>` makes "my open tasks, soonest first" (and "my overdue tasks":
  `between("open#", "open#<now>")`) one Query; gsi3 does the same per person. A deal's tasks are
  reference items in the deal's partition (`TASK#<id>`), written in the same transaction.
- Alarms: while a task is open and has a reminder not yet sent or a due time not yet escalated,
  it sits in the sparse global index gsi2 `TASKALARM#<shard>` / `<next alarm>#<t>#<id>`. The
  every-minute job (functions/jobs/task_alarms) Queries each shard for alarms `<= now`, emits
  `task.reminder` (to the assignee) or `task.overdue` (to the brand's supervisors), stamps the
  task and moves it to its next alarm or out of the index. Changing `remind_at` / `due_at`
  re-arms it; completing it removes it. Why not one EventBridge Scheduler schedule per task:
  the local runtime fires only the schedules declared in template.yaml, and a job over a
  due-time index is one Query per shard per minute whatever the number of tasks, with no
  schedules to create, update and delete in step with every edit (docs/imports.md, "Tasks").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from skailan.crm.events import build
from skailan.crm.references import check_member, check_person, found_by_id
from skailan.crm.sales.models import TaskIn, TaskOut, TaskTypeIn, TaskTypeOut, TaskTypeUpdateIn, TaskUpdateIn
from skailan.crm.store import sales as store
from skailan.crm.store.sales_items import NO_DUE, TaskItem, TaskTypeItem
from skailan.crm.store.timeline_items import timeline_item
from skailan.crm.store.transact import TransactionFailed
from skailan.crm.values.types import Page
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, Unprocessable
from skailan.platform.i18n import both
from skailan.platform.ids import is_valid_id, new_id
from skailan.platform.observability import logger
from skailan.platform.pagination import clamp_limit
from skailan.platform.storage import changed_meanwhile

BUILTIN_TYPES: dict[str, str] = {
    "call": "Llamada",
    "meeting": "Reunión",
    "email": "Correo",
    "whatsapp": "WhatsApp",
    "follow_up": "Seguimiento",
    "visit": "Visita",
}
NOT_FOUND = both("Tarea no encontrada", "Task not found")
TYPE_NOT_FOUND = both("Tipo de tarea no encontrado", "Task type not found")


# ---------------------------------------------------------------- task types


def _type_out(item: TaskTypeItem) -> TaskTypeOut:
    return TaskTypeOut(id=item.type_id, name=item.name, color=item.color)


def _brand_types(tenant_id: str) -> list[TaskTypeItem]:
    return store.brand_task_types(tenant_id)


def list_types(tenant_id: str) -> list[TaskTypeOut]:
    builtins = [TaskTypeOut(id=k, name=v, builtin=True) for k, v in BUILTIN_TYPES.items()]
    return builtins + sorted((_type_out(t) for t in _brand_types(tenant_id)), key=lambda t: t.name.casefold())


def _type_names(tenant_id: str) -> dict[str, str]:
    return BUILTIN_TYPES | {t.type_id: t.name for t in _brand_types(tenant_id)}


def create_type(caller: Caller, data: TaskTypeIn) -> TaskTypeOut:
    type_id = new_id().lower()
    name = " ".join(data.name.split())
    item = store.new_task_type(caller.tenant_id, type_id, name, data.color, iso(), events=[
        build(caller.tenant_id, "task_type.created", caller=caller, entity_type="task_type", entity_id=type_id,
              data={"name": name})])
    return _type_out(item)


def _load_type(tenant_id: str, type_id: str) -> TaskTypeItem:
    if type_id in BUILTIN_TYPES:
        raise Conflict(both("Los tipos incluidos no se cambian", "Built-in types cannot change"), code="builtin_type")
    return found_by_id(type_id, lambda i: store.find_task_type(tenant_id, i), TYPE_NOT_FOUND, "task_type_not_found")


def update_type(caller: Caller, type_id: str, data: TaskTypeUpdateIn) -> TaskTypeOut:
    item = _load_type(caller.tenant_id, type_id)
    if data.name is not None:
        item.name = " ".join(data.name.split())
    if "color" in data.model_fields_set:
        item.color = data.color
    item.updated_at = iso()
    store.save_task_type(item, events=[build(caller.tenant_id, "task_type.updated", caller=caller,
                                             entity_type="task_type", entity_id=type_id)])
    return _type_out(item)


def delete_type(caller: Caller, type_id: str) -> None:
    """Tasks of a deleted type keep its id; they show without a type name."""
    item = _load_type(caller.tenant_id, type_id)
    store.delete_task_type(item, events=[build(caller.tenant_id, "task_type.deleted", caller=caller,
                                               entity_type="task_type", entity_id=type_id)])


# ---------------------------------------------------------------- tasks: helpers


def next_alarm(task: TaskItem) -> str | None:
    """When the job must look at this task next: a pending reminder or a pending escalation."""
    if task.status != "open":
        return None
    pending = []
    if task.remind_at and not task.reminded_at:
        pending.append(task.remind_at)
    if task.due_at and not task.escalated_at:
        pending.append(task.due_at)
    return min(pending) if pending else None


def _index(task: TaskItem) -> None:
    store.index(task, next_alarm(task))


def _out(task: TaskItem, type_names: dict[str, str] | None = None, now: str | None = None) -> TaskOut:
    now = now or iso()
    names = type_names if type_names is not None else BUILTIN_TYPES
    return TaskOut(
        id=task.task_id, title=task.title, description=task.description, type_id=task.type_id,
        type_name=names.get(task.type_id or ""), status=task.status, due_at=task.due_at, remind_at=task.remind_at,
        overdue=bool(task.status == "open" and task.due_at and task.due_at <= now), assignee_id=task.assignee_id,
        person_id=task.person_id, deal_id=task.deal_id, done_at=task.done_at, reminded_at=task.reminded_at,
        escalated_at=task.escalated_at, created_by=task.created_by, created_at=task.created_at,
        updated_at=task.updated_at,
    )


def _check_refs(tenant_id: str, values: dict[str, Any], errors: list[dict[str, Any]]) -> None:
    if values.get("type_id") and values["type_id"] not in _type_names(tenant_id):
        errors.append({"field": "type_id", "error": "unknown", "message": TYPE_NOT_FOUND})
    check_member(errors, tenant_id, values.get("assignee_id"), field="assignee_id", active_only=True,
                 message=both("Usuario desconocido o inactivo", "Unknown or inactive user"))
    check_person(errors, tenant_id, values.get("person_id"))
    deal_id = values.get("deal_id")
    if deal_id and (not is_valid_id(deal_id) or store.find_deal(tenant_id, deal_id) is None):
        errors.append({"field": "deal_id", "error": "unknown", "message": both("Negocio no encontrado",
                                                                               "Deal not found")})


def _raise(errors: list[dict[str, Any]]) -> None:
    if errors:
        raise Unprocessable(both("La tarea no es válida", "The task is not valid"), details=errors)


def _timeline(task: TaskItem, kind: str, summary: str, now: str) -> Any:
    return timeline_item(task.tenant_id, task.person_id or "", kind, summary,
                         ref={"type": "task", "id": task.task_id, "due_at": task.due_at}, occurred_at=now)


def _load(tenant_id: str, task_id: str) -> TaskItem:
    return found_by_id(task_id, lambda i: store.find_task(tenant_id, i), NOT_FOUND, "task_not_found")


# ---------------------------------------------------------------- tasks: writes


def create_task(caller: Caller, data: TaskIn) -> TaskOut:
    tenant_id = caller.tenant_id
    errors: list[dict[str, Any]] = []
    assignee = data.assignee_id or (caller.principal_id if caller.kind == "user" else None)
    if assignee is None:
        errors.append({"field": "assignee_id", "error": "required", "message": both("Asigna la tarea a alguien",
                                                                                    "Assign the task to someone")})
    _check_refs(tenant_id, data.model_dump(), errors)
    _raise(errors)
    assert assignee is not None
    now = iso()
    task_id = new_id()
    task = store.task_item(tenant_id, task_id, title=data.title,
                    description=data.description, type_id=data.type_id, status="open", due_at=data.due_at,
                    remind_at=data.remind_at, assignee_id=assignee, person_id=data.person_id, deal_id=data.deal_id,
                    created_by=caller.principal_id, created_at=now, updated_at=now)
    _index(task)
    event = build(tenant_id, "task.created", caller=caller, entity_type="task", entity_id=task_id,
                  data={"title": task.title, "assignee_id": assignee, "due_at": task.due_at,
                        "person_id": task.person_id, "deal_id": task.deal_id, "type_id": task.type_id})
    try:
        store.write_task(task, new=True, old_deal=None,
                         timeline=_timeline(task, "task_created", f"Tarea: {task.title}", now) if task.person_id
                         else None, events=[event])
    except TransactionFailed as err:
        raise Unprocessable(both("El negocio ya no existe", "The deal no longer exists"),
                            details=[{"field": "deal_id", "error": "unknown"}]) from err
    return _out(task, _type_names(tenant_id), now)


def get_task(tenant_id: str, task_id: str) -> TaskOut:
    return _out(_load(tenant_id, task_id), _type_names(tenant_id))


def update_task(caller: Caller, task_id: str, data: TaskUpdateIn) -> TaskOut:
    tenant_id = caller.tenant_id
    task = _load(tenant_id, task_id)
    sent = data.model_fields_set
    errors: list[dict[str, Any]] = []
    for key in ("title", "assignee_id", "status"):
        if key in sent and getattr(data, key) is None:
            errors.append({"field": key, "error": "required", "message": both("No puede quedar vacío",
                                                                              "Cannot be empty")})
    _check_refs(tenant_id, {k: getattr(data, k) for k in sent}, errors)
    _raise(errors)
    now = iso()
    old_deal, old_status = task.deal_id, task.status
    for key in ("title", "description", "type_id", "assignee_id", "person_id", "deal_id"):
        if key in sent:
            setattr(task, key, getattr(data, key))
    if "due_at" in sent and data.due_at != task.due_at:
        task.due_at, task.escalated_at = data.due_at, None  # a new due time re-arms the escalation
    if "remind_at" in sent and data.remind_at != task.remind_at:
        task.remind_at, task.reminded_at = data.remind_at, None
    if data.status and data.status != task.status:
        task.status = data.status
        task.done_at = now if data.status == "done" else None
    task.updated_at = now
    _index(task)
    timeline = None
    if task.status != old_status and task.person_id:
        summary = f"Tarea completada: {task.title}" if task.status == "done" else f"Tarea reabierta: {task.title}"
        timeline = _timeline(task, f"task_{'done' if task.status == 'done' else 'reopened'}", summary, now)
    events = [build(tenant_id, "task.updated", caller=caller, entity_type="task", entity_id=task_id,
                    data={"changed": sorted(sent)})]
    if task.status != old_status:
        events.append(build(tenant_id, "task.completed" if task.status == "done" else "task.reopened", caller=caller,
                            entity_type="task", entity_id=task_id,
                            data={"assignee_id": task.assignee_id, "person_id": task.person_id,
                                  "deal_id": task.deal_id}))
    with changed_meanwhile("La tarea cambió mientras la editabas; vuelve a intentarlo",
                           "The task changed while you edited it; try again"):
        store.write_task(task, new=False, old_deal=old_deal, timeline=timeline, events=events)
    return _out(task, _type_names(tenant_id), now)


def delete_task(caller: Caller, task_id: str) -> None:
    tenant_id = caller.tenant_id
    task = _load(tenant_id, task_id)
    with changed_meanwhile("La tarea cambió; vuelve a intentarlo",
                           "The task changed; try again"):
        store.delete_task(task, events=[build(tenant_id, "task.deleted", caller=caller, entity_type="task",
                                              entity_id=task_id, data={"title": task.title})])


# ---------------------------------------------------------------- tasks: reads


def list_tasks(tenant_id: str, *, assignee_id: str | None, person_id: str | None, deal_id: str | None,
               status: str, overdue: bool, cursor: str | None, limit: int | None) -> Page[TaskOut]:
    """One Query: a deal's task references, a person's tasks (gsi3) or an assignee's (gsi1), by due time."""
    limit = clamp_limit(limit)
    now = iso()
    names = _type_names(tenant_id)
    if deal_id:
        found = store.deal_tasks_page(tenant_id, deal_id, cursor=cursor, limit=limit)
        tasks = [t for t in found.items if (status == "all" or t.status == status)
                 and (not overdue or _out(t, names, now).overdue)]
        tasks.sort(key=lambda t: (t.due_at or NO_DUE, t.task_id))
        return Page[TaskOut](items=[_out(t, names, now) for t in tasks], next_cursor=found.next_cursor)
    found = store.listed_tasks_page(tenant_id, person_id=person_id, assignee_id=assignee_id or "", status=status,
                                    overdue_at=now if overdue else None, cursor=cursor, limit=limit)
    return Page[TaskOut](items=[_out(t, names, now) for t in found.items], next_cursor=found.next_cursor)


# ---------------------------------------------------------------- the alarm job


def _supervisors(tenant_id: str) -> list[str]:
    """Active supervisors of the brand (admins when it has none): who an overdue task goes to."""
    from skailan.tenancy.members import list_members

    by_role: dict[str, list[str]] = {}
    cursor = None
    while True:
        page = list_members(tenant_id, cursor=cursor, limit=100)
        for member in page.items:
            if member.status == "active":
                by_role.setdefault(member.role, []).append(member.id)
        cursor = page.next_cursor
        if not cursor:
            break
    return sorted(by_role.get("supervisor") or by_role.get("admin") or [])


def _due_alarms(now: str) -> Iterator[TaskItem]:
    """Alarms due at `now`, shard by shard, page by page (a Query per shard; never a Scan)."""
    return store.due_alarms(now)


def run_alarms(now: str | None = None, *, max_seconds: float = 45.0) -> dict[str, int]:
    """Fire every alarm due at `now` (default: the current time). The task's stamp and its events go
    in one transaction; a task edited meanwhile writes neither and is looked at again on the next
    run. A backlog bigger than one run (`max_seconds`) is finished by the next minute's run."""
    import time

    deadline = time.monotonic() + max_seconds
    now = now or iso()
    counts = {"reminders": 0, "escalations": 0, "cleared": 0}
    supervisors: dict[str, list[str]] = {}
    for listed in _due_alarms(now):
        if time.monotonic() > deadline:
            logger.warning("task alarm backlog left for the next run")
            break
        task = store.reread_task(listed)
        if task is None:
            continue
        events = []
        base = {"task_id": task.task_id, "title": task.title, "due_at": task.due_at, "assignee_id": task.assignee_id,
                "person_id": task.person_id, "deal_id": task.deal_id, "type_id": task.type_id}
        if task.status == "open" and task.remind_at and not task.reminded_at and task.remind_at <= now:
            events.append(build(task.tenant_id, "task.reminder", entity_type="task", entity_id=task.task_id,
                                data={**base, "remind_at": task.remind_at, "recipients": [task.assignee_id],
                                      "dedupe_key": f"{task.task_id}:reminder:{task.remind_at}"}))
            task.reminded_at = now
        if task.status == "open" and task.due_at and not task.escalated_at and task.due_at <= now:
            if task.tenant_id not in supervisors:
                supervisors[task.tenant_id] = _supervisors(task.tenant_id)
            events.append(build(task.tenant_id, "task.overdue", entity_type="task", entity_id=task.task_id,
                                data={**base, "recipients": supervisors[task.tenant_id],
                                      "dedupe_key": f"{task.task_id}:overdue:{task.due_at}"}))
            task.escalated_at = now
        _index(task)
        if not store.save_task_if_unchanged(task, events=events):
            logger.info("task changed while its alarm fired; next run looks again", task_id=task.task_id)
            continue
        counts["reminders"] += sum(e.type == "task.reminder" for e in events)
        counts["escalations"] += sum(e.type == "task.overdue" for e in events)
        counts["cleared"] += not events
    return counts
