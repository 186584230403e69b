"""Pipelines, deals, task types and tasks as stored items (layout in sales_items.py): their reads,
and the transactions that keep a deal's stage totals and conversion counters, and a task's deal
reference and timeline entry, in step with the deal or task.

Transactions are sent through `transact` (a pure conflict is retried); a failed condition or a
VersionAttribute that moved raises `TransactionFailed`, which the services turn into a 409/422.
Every write takes its domain events (`events=`) in the same transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from skailan.crm.store import records
from skailan.crm.store.items import TimelineItem
from skailan.crm.store.sales_items import (
    ALARM_SHARDS,
    DEAL_SK,
    DEAL_TASK,
    PIPELINE,
    TASK_SK,
    TYPE,
    DealItem,
    DealTaskRefItem,
    PipelineItem,
    StageFlowItem,
    StageStatItem,
    TaskItem,
    TaskTypeItem,
    alarm_pk,
    alarms_due_by,
    assignee_tasks_pk,
    board_column_prefix,
    board_pk,
    deal_pk,
    index_deal,
    index_task,
    overdue_tasks_range,
    owner_deals_pk,
    person_deals_pk,
    person_tasks_pk,
    pipelines_pk,
    stage_flow_sk,
    stage_flows_prefix,
    stage_stat_sk,
    stage_stats_prefix,
    task_pk,
    task_status_prefix,
    task_types_pk,
)
from skailan.crm.store.transact import Transaction, outbox_table, save_if, transact
from skailan.platform import outbox
from skailan.platform.events import DomainEvent

# ---------------------------------------------------------------- pipelines


def all_pipelines(tenant_id: str) -> list[PipelineItem]:
    return records.everything(PipelineItem, pipelines_pk(tenant_id), PIPELINE)


def pipeline_item(tenant_id: str, pipeline_id: str, **attributes: Any) -> PipelineItem:
    return PipelineItem(pipelines_pk(tenant_id), PIPELINE + pipeline_id, tenant_id=tenant_id, pipeline_id=pipeline_id,
                        **attributes)


def create_pipeline_once(item: PipelineItem) -> bool:
    """Store the pipeline unless one with its id exists (False: a concurrent first use created it)."""
    return records.put_new_if(item)


def find_pipeline(tenant_id: str, pipeline_id: str) -> PipelineItem | None:
    return records.find(PipelineItem, pipelines_pk(tenant_id), PIPELINE + pipeline_id)


def save_pipeline(item: PipelineItem, *, new: bool, events: Sequence[DomainEvent] = ()) -> None:
    """Save the pipeline (a new one never over an existing key; an edit checks its version) and,
    when it is the default, make the brand's other default pipeline not one, with the events, in
    one transaction."""
    def write(tx: Transaction) -> None:
        if new:
            tx.save(item, condition=PipelineItem.pk.does_not_exist())
        else:
            tx.save(item)
        if item.is_default:
            for other in all_pipelines(item.tenant_id):
                if other.is_default and other.pipeline_id != item.pipeline_id:
                    tx.update(PipelineItem(other.pk, other.sk), actions=[PipelineItem.is_default.set(False)],
                              add_version_condition=False)

    transact(write, events=events)


def stage_stats(tenant_id: str, pipeline_id: str) -> list[StageStatItem]:
    """The pipeline's totals per stage and currency: one Query."""
    return records.everything(StageStatItem, pipelines_pk(tenant_id), stage_stats_prefix(pipeline_id))


def stage_flows(tenant_id: str, pipeline_id: str) -> list[StageFlowItem]:
    """The pipeline's "reached" counters per stage: one Query."""
    return records.everything(StageFlowItem, pipelines_pk(tenant_id), stage_flows_prefix(pipeline_id))


def delete_pipeline(item: PipelineItem, *, events: Sequence[DomainEvent] = ()) -> None:
    """The pipeline with its events, then its stage totals and counters (batch deletes)."""
    outbox.delete_with(item, events, outbox_table())
    with StageStatItem.batch_write() as writer:
        for stat in stage_stats(item.tenant_id, item.pipeline_id):
            writer.delete(stat)
        for flow in stage_flows(item.tenant_id, item.pipeline_id):
            writer.delete(flow)


# ---------------------------------------------------------------- deals


class StatChange(NamedTuple):
    """A change to one stage total: `deals` and `amount` added in one currency."""

    pipeline_id: str
    stage_id: str
    currency: str
    deals: int
    amount: Decimal


def deal_item(tenant_id: str, deal_id: str, **attributes: Any) -> DealItem:
    return DealItem(deal_pk(tenant_id, deal_id), DEAL_SK, tenant_id=tenant_id, deal_id=deal_id, **attributes)


def find_deal(tenant_id: str, deal_id: str) -> DealItem | None:
    return records.find(DealItem, deal_pk(tenant_id, deal_id), DEAL_SK)


def _stat(tx: Transaction, tenant_id: str, change: StatChange) -> None:
    key = StageStatItem(pipelines_pk(tenant_id), stage_stat_sk(change.pipeline_id, change.stage_id, change.currency))
    tx.update(key, actions=[StageStatItem.count.add(change.deals), StageStatItem.amount.add(change.amount),
                            StageStatItem.kind.set(StageStatItem),
                            StageStatItem.pipeline_id.set(change.pipeline_id),
                            StageStatItem.stage_id.set(change.stage_id), StageStatItem.currency.set(change.currency)])


def _reach(tx: Transaction, tenant_id: str, pipeline_id: str, stage_ids: list[str]) -> None:
    for stage_id in stage_ids:
        tx.update(StageFlowItem(pipelines_pk(tenant_id), stage_flow_sk(pipeline_id, stage_id)),
                  actions=[StageFlowItem.reached.add(1), StageFlowItem.kind.set(StageFlowItem),
                           StageFlowItem.pipeline_id.set(pipeline_id), StageFlowItem.stage_id.set(stage_id)])


def write_deal(deal: DealItem, *, new: bool, stats: list[StatChange], reached: list[str],
               timeline: TimelineItem | None, events: Sequence[DomainEvent] = ()) -> None:
    """The deal (index keys set from its state; a new one never over an existing key, an edit
    checked by its VersionAttribute so a concurrent move fails instead of double counting), its
    stage totals, the stages it reached for the first time, its timeline entry and its events:
    one transaction."""
    index_deal(deal)

    def write(tx: Transaction) -> None:
        if new:
            tx.save(deal, condition=DealItem.pk.does_not_exist())
        else:
            tx.save(deal)
        for change in stats:
            _stat(tx, deal.tenant_id, change)
        _reach(tx, deal.tenant_id, deal.pipeline_id, reached)
        if timeline is not None:
            tx.save(timeline)

    transact(write, events=events)


def delete_deal(deal: DealItem, *, events: Sequence[DomainEvent] = ()) -> None:
    """The deal, its stage total and its events in one transaction, then its task references."""
    def write(tx: Transaction) -> None:
        tx.delete(deal)
        _stat(tx, deal.tenant_id, StatChange(deal.pipeline_id, deal.stage_id, deal.currency, -1, -Decimal(deal.amount)))

    transact(write, events=events)
    refs = records.everything(DealTaskRefItem, deal.pk, DEAL_TASK)
    with DealTaskRefItem.batch_write() as writer:
        for ref in refs:
            writer.delete(ref)


def _only_deals(found: records.Found[DealItem]) -> records.Found[DealItem]:
    return records.Found([d for d in found.items if isinstance(d, DealItem)], found.next_cursor)


def person_deals_page(tenant_id: str, person_id: str, *, cursor: str | None, limit: int) -> records.Found[DealItem]:
    return _only_deals(records.index_page(DealItem, 3, person_deals_pk(tenant_id, person_id), None, cursor=cursor,
                                          limit=limit))


def owner_deals_page(tenant_id: str, owner_id: str, *, cursor: str | None, limit: int) -> records.Found[DealItem]:
    """An owner's deals, latest expected close first."""
    return _only_deals(records.index_page(DealItem, 2, owner_deals_pk(tenant_id, owner_id), None, cursor=cursor,
                                          limit=limit, newest_first=True))


def board_page(tenant_id: str, pipeline_id: str, stage_id: str | None, *, cursor: str | None, limit: int,
               newest_first: bool = False) -> records.Found[DealItem]:
    """A pipeline's deals (one column with `stage_id`), by stage then last update."""
    condition = DealItem.gsi1sk.startswith(board_column_prefix(stage_id)) if stage_id else None
    return _only_deals(records.index_page(DealItem, 1, board_pk(tenant_id, pipeline_id), condition, cursor=cursor,
                                          limit=limit, newest_first=newest_first))


# ---------------------------------------------------------------- task types


def brand_task_types(tenant_id: str) -> list[TaskTypeItem]:
    return records.everything(TaskTypeItem, task_types_pk(tenant_id), TYPE)


def new_task_type(tenant_id: str, type_id: str, name: str, color: str | None, now: str, *,
                  events: Sequence[DomainEvent] = ()) -> TaskTypeItem:
    return records.put_new(TaskTypeItem(task_types_pk(tenant_id), TYPE + type_id, tenant_id=tenant_id, type_id=type_id,
                                        name=name, color=color, created_at=now, updated_at=now), events=events)


def find_task_type(tenant_id: str, type_id: str) -> TaskTypeItem | None:
    return records.find(TaskTypeItem, task_types_pk(tenant_id), TYPE + type_id)


def save_task_type(item: TaskTypeItem, *, events: Sequence[DomainEvent] = ()) -> None:
    records.put(item, events=events)


def delete_task_type(item: TaskTypeItem, *, events: Sequence[DomainEvent] = ()) -> None:
    records.remove(item, events=events)


# ---------------------------------------------------------------- tasks


def alarm_shard(task_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(task_id.encode(), digest_size=2).digest(), "big") % ALARM_SHARDS


def task_item(tenant_id: str, task_id: str, **attributes: Any) -> TaskItem:
    return TaskItem(task_pk(tenant_id, task_id), TASK_SK, tenant_id=tenant_id, task_id=task_id, **attributes)


def index(task: TaskItem, alarm: str | None) -> None:
    """Set the task's index keys; `alarm`: when the alarm job must look at it next (None: never)."""
    index_task(task, alarm, alarm_shard(task.task_id))


def find_task(tenant_id: str, task_id: str, *, consistent: bool = False) -> TaskItem | None:
    return records.find(TaskItem, task_pk(tenant_id, task_id), TASK_SK, consistent=consistent)


def reread_task(task: TaskItem) -> TaskItem | None:
    """The task as it is now (strongly consistent): an index page holds what it held when listed."""
    return find_task(task.tenant_id, task.task_id, consistent=True)


def _deal_ref(task: TaskItem, deal_id: str) -> DealTaskRefItem:
    return DealTaskRefItem(deal_pk(task.tenant_id, deal_id), DEAL_TASK + task.task_id, tenant_id=task.tenant_id,
                           deal_id=deal_id, task_id=task.task_id, created_at=task.created_at)


def write_task(task: TaskItem, *, new: bool, old_deal: str | None, timeline: TimelineItem | None,
               events: Sequence[DomainEvent] = ()) -> None:
    """The task (a new one never over an existing key; an edit checked by its VersionAttribute, so
    concurrent edits or the alarm job cannot both win), its deal reference moved from `old_deal`
    to its deal (which must still exist), its timeline entry and its events: one transaction."""
    tenant_id = task.tenant_id

    def write(tx: Transaction) -> None:
        if new:
            tx.save(task, condition=TaskItem.pk.does_not_exist())
        else:
            tx.save(task)
        if old_deal != task.deal_id:
            if old_deal:
                tx.delete(DealTaskRefItem(deal_pk(tenant_id, old_deal), DEAL_TASK + task.task_id))
            if task.deal_id:
                tx.condition_check(DealItem, deal_pk(tenant_id, task.deal_id), DEAL_SK, condition=DealItem.pk.exists())
                tx.save(_deal_ref(task, task.deal_id))
        if timeline is not None:
            tx.save(timeline)

    transact(write, events=events)


def save_task_if_unchanged(task: TaskItem, *, events: Sequence[DomainEvent] = ()) -> bool:
    """Save the task with its events; False, nothing written, when it changed since it was read
    (VersionAttribute)."""
    return save_if(task, events=events)


def delete_task(task: TaskItem, *, events: Sequence[DomainEvent] = ()) -> None:
    """The task, its deal reference and its events in one transaction."""
    def write(tx: Transaction) -> None:
        tx.delete(task)
        if task.deal_id:
            tx.delete(DealTaskRefItem(deal_pk(task.tenant_id, task.deal_id), DEAL_TASK + task.task_id))

    transact(write, events=events)


def deal_tasks_page(tenant_id: str, deal_id: str, *, cursor: str | None, limit: int) -> records.Found[TaskItem]:
    """One page of a deal's task references, and the tasks they name (one Query, one BatchGet)."""
    refs = records.page(DealTaskRefItem, deal_pk(tenant_id, deal_id), DEAL_TASK, cursor=cursor, limit=limit)
    ids = [r.task_id for r in refs.items]
    found = {t.task_id: t for t in records.batch(TaskItem, [(task_pk(tenant_id, i), TASK_SK) for i in ids])}
    return records.Found([found[i] for i in ids if i in found], refs.next_cursor)


def listed_tasks_page(tenant_id: str, *, person_id: str | None, assignee_id: str, status: str, overdue_at: str | None,
                      cursor: str | None, limit: int) -> records.Found[TaskItem]:
    """A person's tasks (gsi3) or an assignee's (gsi1) by status and due time: the open ones due
    before `overdue_at` when given, else those in `status` ("all": every one)."""
    number, partition = (3, person_tasks_pk(tenant_id, person_id)) if person_id \
        else (1, assignee_tasks_pk(tenant_id, assignee_id))
    sort = TaskItem.gsi3sk if person_id else TaskItem.gsi1sk
    condition: Any  # a pynamodb condition on TaskItem, or None
    if overdue_at:
        condition = sort.between(*overdue_tasks_range(overdue_at))
    elif status == "all":
        condition = None
    else:
        condition = sort.startswith(task_status_prefix(status))
    found = records.index_page(TaskItem, number, partition, condition, cursor=cursor, limit=limit)
    return records.Found([t for t in found.items if isinstance(t, TaskItem)], found.next_cursor)


def due_alarms(now: str) -> Iterator[TaskItem]:
    """Alarms due at `now`, shard by shard, page by page (a Query per shard; never a Scan)."""
    for shard in range(ALARM_SHARDS):
        for task in TaskItem.gsi2.query(alarm_pk(shard), TaskItem.gsi2sk <= alarms_due_by(now)):
            if isinstance(task, TaskItem):
                yield task
