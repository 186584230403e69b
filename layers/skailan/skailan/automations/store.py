"""The automations table: the only pynamodb code of the context; every key is built here.

Every pk and brand-scoped GSI pk starts with `T#<tenant>`:

  automation   pk T#<t>#AUTO#<a>  sk AUTOMATION   the current definition and its compiled program
               gsi1 T#<t>#AUTOMATIONS / <created_at>#<a>          (the brand's list, newest first)
               gsi2 T#<t>#TRIGGER#<trigger key> / <a>             (only while active: sparse)
               trigger key = the trigger type, plus the folded tag for tag triggers, so an event
               reads only the automations it can fire: one Query per key, never a Scan.
  version      pk T#<t>#AUTO#<a>  sk V#<000001>   a published definition; runs keep theirs
  run          pk T#<t>#AUTO#<a>  sk RUN#<ulid>   status, program counter, per-step history
               gsi1 T#<t>#RUNS / <started_at>#<run>                (brand-wide history)
               gsi2 T#<t>#P#<person>#RUNS / <started_at>#<run>     (a person's runs)
               gsi3 AUTOWAIT#<0-15> / <due>#<t>#<a>#<run>          (only while waiting: sparse)
               The waits job reads gsi3 with one Query per shard up to now (like the CRM's task
               alarms): the one index whose pk is not the tenant's, it holds no tenant data but keys.
  idempotency  pk T#<t>#AUTO#<a>  sk IDEM#<event id>#v<version>   claimed with the run (ttl 7 d)
  once         pk T#<t>#AUTO#<a>  sk ONCE#<person>                "once per person"
  round-robin  pk T#<t>#AUTO#<a>  sk RR#<step>                    counter (ADD)
  rate         pk T#<t>#RATE#<scope>#<window>  sk N               counter (ADD, conditional, ttl)
  hook         pk HOOK#<hook id>  sk HOOK                         inbound webhook → tenant, automation
  schedule     pk T#<t>#AUTO#<a>  sk SCHED | BATCH#<id>           a clock trigger's next time / a list run
               gsi3 AUTOSCHED / <due>#<t>#<a>#<sk>                 (only while due-able: sparse)
               The schedules job reads it with one Query up to now, like the waits.
  date index   pk T#<t>#DATES#<field>#<MMDD>  sk P#<person>       people by month-day of a date field
  date mirror  pk T#<t>#PDATES#<person>       sk F#<field>        what the index holds for a person
               Maintained from contact events; a birthday reads one partition per day.
  event wait   pk T#<t>#WAITEV#<person>  sk <event key>#<a>#<run>#<pc>   a run waiting for an event
  approval     pk T#<t>#APPROVAL#<run>-<pc>  sk APPROVAL         a deal waiting for a manager's decision
               gsi1 T#<t>#APPROVALS#<status> / <requested_at>#<id>   (the brand's, by status)
  outbox       (skailan.platform.outbox)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError

from skailan.platform import outbox
from skailan.platform.cancellation import condition_failed
from skailan.platform.clock import utcnow
from skailan.platform.events import DomainEvent
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor
from skailan.platform.settings import get_settings
from skailan.platform.storage import TableItem, conditional, transaction

WAIT_SHARDS = 16
IDEMPOTENCY_TTL = timedelta(days=7)
AUTOMATION_SK = "AUTOMATION"


def automation_pk(tenant_id: str, automation_id: str) -> str:
    return f"T#{tenant_id}#AUTO#{automation_id}"


def list_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#AUTOMATIONS"


def trigger_pk(tenant_id: str, trigger_key: str) -> str:
    return f"T#{tenant_id}#TRIGGER#{trigger_key}"


def runs_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#RUNS"


def person_runs_pk(tenant_id: str, person_id: str) -> str:
    return f"T#{tenant_id}#P#{person_id}#RUNS"


def wait_pk(shard: int) -> str:
    return f"AUTOWAIT#{shard}"


def wait_shard(run_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(run_id.encode(), digest_size=2).digest(), "big") % WAIT_SHARDS


SCHEDULES_PK = "AUTOSCHED"
SCHEDULE_SK = "SCHED"


def dates_pk(tenant_id: str, field: str, month_day: str) -> str:
    return f"T#{tenant_id}#DATES#{field}#{month_day}"


def person_dates_pk(tenant_id: str, person_id: str) -> str:
    return f"T#{tenant_id}#PDATES#{person_id}"


def event_waits_pk(tenant_id: str, person_id: str) -> str:
    return f"T#{tenant_id}#WAITEV#{person_id}"


def version_sk(version: int) -> str:
    return f"V#{version:06d}"


def run_sk(run_id: str) -> str:
    return f"RUN#{run_id}"


def table_name() -> str:
    return get_settings().automations_table


class AutomationsItem(TableItem):
    class Meta:
        table_name = get_settings().automations_table

    overloaded_indexes = 3


class AutomationItem(AutomationsItem, discriminator="automation"):
    tenant_id = UnicodeAttribute()
    automation_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)
    paused_reason = UnicodeAttribute(null=True)
    version = NumberAttribute(default=1)
    definition = JSONAttribute(default=dict)  # trigger, conditions, event_conditions, steps, once_per_person
    program = JSONAttribute(default=list)  # the compiled steps (engine.compile_steps)
    trigger_key = UnicodeAttribute()
    created_by = UnicodeAttribute(null=True)
    last_run_at = UnicodeAttribute(null=True)
    strikes = NumberAttribute(default=0)  # failed or capped runs in a row; pauses at a limit
    hook_id = UnicodeAttribute(null=True)
    hook_secret = UnicodeAttribute(null=True)
    deleted_at = UnicodeAttribute(null=True)
    revision = VersionAttribute()


class VersionItem(AutomationsItem, discriminator="version"):
    tenant_id = UnicodeAttribute()
    automation_id = UnicodeAttribute()
    version = NumberAttribute()
    definition = JSONAttribute(default=dict)
    program = JSONAttribute(default=list)
    created_by = UnicodeAttribute(null=True)


class RunItem(AutomationsItem, discriminator="run"):
    tenant_id = UnicodeAttribute()
    automation_id = UnicodeAttribute()
    run_id = UnicodeAttribute()
    version = NumberAttribute()
    status = UnicodeAttribute()  # running | waiting | completed | failed | stopped
    person_id = UnicodeAttribute(null=True)
    trigger = JSONAttribute(default=dict)  # {event_id, type, source, occurred_at, data, ...}
    reason = UnicodeAttribute(null=True)
    depth = NumberAttribute(default=1)
    root_event_id = UnicodeAttribute()
    steps = JSONAttribute(default=list)  # per-step history (models.StepRunOut)
    pc = NumberAttribute(default=0)  # the next instruction of the program
    attempts = NumberAttribute(default=0)  # of the instruction at pc (retries of a failing step)
    wait_until = UnicodeAttribute(null=True)
    started_at = UnicodeAttribute()
    revision = VersionAttribute()


class ScheduleItem(AutomationsItem, discriminator="schedule"):
    """A clock trigger's next time (sk SCHED) or a queued run over a list (sk BATCH#<id>)."""

    tenant_id = UnicodeAttribute()
    automation_id = UnicodeAttribute()
    next_at = UnicodeAttribute()
    list_id = UnicodeAttribute(null=True)
    requested_by = UnicodeAttribute(null=True)


class DateIndexItem(AutomationsItem, discriminator="date_index"):
    """A person's date field: in the month-day index and in the person's mirror of it."""

    tenant_id = UnicodeAttribute()
    person_id = UnicodeAttribute()
    field = UnicodeAttribute()
    value = UnicodeAttribute()  # YYYY-MM-DD


class EventWaitItem(AutomationsItem, discriminator="event_wait"):
    """A run waiting (step `wait_event`) for an event of its person."""

    tenant_id = UnicodeAttribute()
    automation_id = UnicodeAttribute()
    run_id = UnicodeAttribute()
    pc = NumberAttribute()
    event_key = UnicodeAttribute()
    params = JSONAttribute(default=dict)  # keywords, channel… (trigger_matches)
    since = UnicodeAttribute()  # when the wait began
    trigger_event_id = UnicodeAttribute(null=True)  # the run's own trigger never ends its wait


class ApprovalItem(AutomationsItem, discriminator="approval"):
    tenant_id = UnicodeAttribute()
    approval_id = UnicodeAttribute()
    automation_id = UnicodeAttribute()
    run_id = UnicodeAttribute()
    pc = NumberAttribute()
    deal_id = UnicodeAttribute()
    deal_title = UnicodeAttribute(null=True)
    amount = NumberAttribute()
    person_id = UnicodeAttribute(null=True)
    approver_ids = JSONAttribute(default=list)
    message = UnicodeAttribute(null=True)
    status = UnicodeAttribute()  # pending | approved | rejected
    requested_at = UnicodeAttribute()
    decided_by = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)


class MarkerItem(AutomationsItem, discriminator="marker"):
    """Idempotency and once-per-person claims, round-robin and rate counters, inbound hooks."""

    tenant_id = UnicodeAttribute(null=True)
    automation_id = UnicodeAttribute(null=True)
    run_id = UnicodeAttribute(null=True)  # idempotency claims: the run the event started
    tally = NumberAttribute(default=0)


# ---------------------------------------------------------------- automations


def get_automation(tenant_id: str, automation_id: str, *, consistent: bool = False) -> AutomationItem | None:
    try:
        item = AutomationItem.get(automation_pk(tenant_id, automation_id), AUTOMATION_SK, consistent_read=consistent)
    except AutomationItem.DoesNotExist:
        return None
    return None if item.deleted_at else item


def index(item: AutomationItem) -> None:
    item.gsi1pk, item.gsi1sk = list_pk(item.tenant_id), f"{item.created_at}#{item.automation_id}"
    live = item.active and not item.paused_reason and not item.deleted_at
    item.gsi2pk = trigger_pk(item.tenant_id, item.trigger_key) if live else None
    item.gsi2sk = item.automation_id if live else None
    if item.deleted_at:
        item.gsi1pk = item.gsi1sk = None


def new_version_item(item: AutomationItem, now: str, by: str | None) -> VersionItem:
    return VersionItem(item.pk, version_sk(int(item.version)), tenant_id=item.tenant_id,
                       automation_id=item.automation_id, version=item.version, definition=item.definition,
                       program=item.program, created_by=by, created_at=now)


def live(item: AutomationItem) -> bool:
    return bool(item.active and not item.paused_reason and not item.deleted_at)


def write_automation(item: AutomationItem, version: VersionItem | None, events: list[DomainEvent],
                     hook: MarkerItem | None = None, schedule_at: str | None = None) -> None:
    """The automation (conditional on its revision), its new version and its events, atomically.
    A clock trigger's schedule item goes with it: saved at `schedule_at` while the automation is
    live, deleted otherwise (paused, inactive, deleted, another trigger). `ConditionFailed` when
    refused (saved meanwhile)."""
    index(item)
    with conditional(), transaction() as tx:
        tx.save(item)  # VersionAttribute: refused if someone saved it meanwhile
        if version is not None:
            tx.save(version, condition=VersionItem.pk.does_not_exist())
        if hook is not None:
            tx.save(hook)
        if live(item) and schedule_at:
            tx.save(_schedule(item.tenant_id, item.automation_id, SCHEDULE_SK, schedule_at))
        else:
            tx.delete(ScheduleItem(item.pk, SCHEDULE_SK), add_version_condition=False)
        outbox.add(tx, events, table_name())


def list_automations(tenant_id: str, cursor: str | None, limit: int | None) -> tuple[list[AutomationItem], str | None]:
    pk = list_pk(tenant_id)
    start = decode_cursor(cursor, partition_attr="gsi1pk", partition_value=pk)
    page = AutomationsItem.gsi1.query(pk, scan_index_forward=False, limit=clamp_limit(limit),
                                      last_evaluated_key=start)
    items = [i for i in page if isinstance(i, AutomationItem)]
    return items, encode_cursor(page.last_evaluated_key)


def list_versions(tenant_id: str, automation_id: str) -> list[VersionItem]:
    query = AutomationsItem.query(automation_pk(tenant_id, automation_id), AutomationsItem.sk.startswith("V#"),
                                  scan_index_forward=False)
    return [i for i in query if isinstance(i, VersionItem)]


def get_version(tenant_id: str, automation_id: str, version: int) -> VersionItem | None:
    try:
        return VersionItem.get(automation_pk(tenant_id, automation_id), version_sk(version))
    except VersionItem.DoesNotExist:
        return None


def matching(tenant_id: str, trigger_key: str) -> Iterator[AutomationItem]:
    """The brand's active automations on one trigger key: one Query (paged), never a Scan."""
    for item in AutomationsItem.gsi2.query(trigger_pk(tenant_id, trigger_key)):
        if isinstance(item, AutomationItem):
            yield item


def touch_automation(tenant_id: str, automation_id: str, *, ran_at: str | None, strike: bool | None) -> int:
    """Stamp the last run; count a failed/capped run (`strike`) or clear the count. Returns strikes."""
    actions: list[Any] = [AutomationItem.last_run_at.set(ran_at)] if ran_at else []
    if strike is True:
        actions.append(AutomationItem.strikes.add(1))
    elif strike is False:
        actions.append(AutomationItem.strikes.set(0))
    try:
        result = AutomationItem._get_connection().update_item(
            automation_pk(tenant_id, automation_id), AUTOMATION_SK, actions=actions,
            condition=AutomationItem.pk.exists(), return_values="UPDATED_NEW")
    except UpdateError:
        return 0
    return int((result.get("Attributes") or {}).get("strikes", {}).get("N", 0))


# ---------------------------------------------------------------- runs


def new_run_item(tenant_id: str, automation_id: str, run_id: str, **fields: Any) -> RunItem:
    return RunItem(automation_pk(tenant_id, automation_id), run_sk(run_id), tenant_id=tenant_id,
                   automation_id=automation_id, run_id=run_id, **fields)


def _index_run(run: RunItem) -> None:
    run.gsi1pk, run.gsi1sk = runs_pk(run.tenant_id), f"{run.started_at}#{run.run_id}"
    run.gsi2pk = person_runs_pk(run.tenant_id, run.person_id) if run.person_id else None
    run.gsi2sk = f"{run.started_at}#{run.run_id}" if run.person_id else None
    waiting = run.status == "waiting" and run.wait_until
    run.gsi3pk = wait_pk(wait_shard(run.run_id)) if waiting else None
    run.gsi3sk = f"{run.wait_until}#{run.tenant_id}#{run.automation_id}#{run.run_id}" if waiting else None


def claim_run(run: RunItem, event_id: str | None, once_person: str | None) -> bool:
    """Create the run with its idempotency claim (event id + version) and its once-per-person
    claim, atomically. False when either was taken: the event already ran this automation."""
    _index_run(run)
    expires = utcnow() + IDEMPOTENCY_TTL
    with_claims = []
    if event_id:
        with_claims.append(MarkerItem(run.pk, f"IDEM#{event_id}#v{int(run.version)}", tenant_id=run.tenant_id,
                                      automation_id=run.automation_id, run_id=run.run_id, ttl=expires))
    if once_person:
        with_claims.append(MarkerItem(run.pk, f"ONCE#{once_person}", tenant_id=run.tenant_id,
                                      automation_id=run.automation_id))
    try:
        with transaction() as tx:
            for marker in with_claims:
                tx.save(marker, condition=MarkerItem.pk.does_not_exist())
            tx.save(run, condition=RunItem.pk.does_not_exist())
    except TransactWriteError as err:
        if condition_failed(err):
            return False
        raise
    return True


def claimed_run(tenant_id: str, automation_id: str, event_id: str, version: int) -> str | None:
    """The id of the run this event already started on this version, if any ("" if unknown)."""
    try:
        marker = MarkerItem.get(automation_pk(tenant_id, automation_id), f"IDEM#{event_id}#v{version}",
                                consistent_read=True)
    except MarkerItem.DoesNotExist:
        return None
    return marker.run_id or ""


def once_claimed(tenant_id: str, automation_id: str, person_id: str) -> bool:
    try:
        MarkerItem.get(automation_pk(tenant_id, automation_id), f"ONCE#{person_id}")
    except MarkerItem.DoesNotExist:
        return False
    return True


def save_run(run: RunItem, events: list[DomainEvent] | None = None) -> None:
    """Save a run (conditional on its revision: two workers never both move it) with its events, in
    one transaction. `ConditionFailed` when another worker moved it first (and no event is written)."""
    _index_run(run)
    with conditional():
        outbox.put_with(run, events or [], table_name())


def get_run(tenant_id: str, automation_id: str, run_id: str, *, consistent: bool = False) -> RunItem | None:
    try:
        return RunItem.get(automation_pk(tenant_id, automation_id), run_sk(run_id), consistent_read=consistent)
    except RunItem.DoesNotExist:
        return None


def list_runs(tenant_id: str, *, automation_id: str | None, person_id: str | None, status: str | None,
              since: str | None, until: str | None, cursor: str | None,
              limit: int | None) -> tuple[list[RunItem], str | None]:
    """Newest first; one Query on the automation's partition, the person's or the brand's runs.
    Status and dates filter the page read (requests per page stay constant)."""
    size = clamp_limit(limit)
    condition: Any = None
    if status:
        condition = RunItem.status == status
    if automation_id and person_id:
        condition = (RunItem.person_id == person_id) if condition is None else condition & (
            RunItem.person_id == person_id)
    for bound, op in ((since, "ge"), (until, "le")):
        if bound:
            part = RunItem.started_at >= bound if op == "ge" else RunItem.started_at <= bound
            condition = part if condition is None else condition & part
    if automation_id:
        pk = automation_pk(tenant_id, automation_id)
        start = decode_cursor(cursor, partition_attr="pk", partition_value=pk)
        page: Any = AutomationsItem.query(pk, AutomationsItem.sk.startswith("RUN#"), filter_condition=condition,
                                          scan_index_forward=False, limit=size, last_evaluated_key=start)
    elif person_id:
        pk = person_runs_pk(tenant_id, person_id)
        start = decode_cursor(cursor, partition_attr="gsi2pk", partition_value=pk)
        page = AutomationsItem.gsi2.query(pk, filter_condition=condition, scan_index_forward=False, limit=size,
                                          last_evaluated_key=start)
    else:
        pk = runs_pk(tenant_id)
        start = decode_cursor(cursor, partition_attr="gsi1pk", partition_value=pk)
        page = AutomationsItem.gsi1.query(pk, filter_condition=condition, scan_index_forward=False, limit=size,
                                          last_evaluated_key=start)
    items = [i for i in page if isinstance(i, RunItem)]
    return items, encode_cursor(page.last_evaluated_key)


def due_waits(now: str) -> Iterator[RunItem]:
    """Runs whose wait is over at `now`: one Query per shard of the wait index (never a Scan)."""
    for shard in range(WAIT_SHARDS):
        for item in AutomationsItem.gsi3.query(wait_pk(shard), AutomationsItem.gsi3sk <= f"{now}#~"):
            if isinstance(item, RunItem):
                yield item


# ---------------------------------------------------------------- schedules (clock triggers, list runs)


def _schedule(tenant_id: str, automation_id: str, sk: str, at: str, **fields: Any) -> ScheduleItem:
    item = ScheduleItem(automation_pk(tenant_id, automation_id), sk, tenant_id=tenant_id,
                        automation_id=automation_id, next_at=at, **fields)
    item.gsi3pk, item.gsi3sk = SCHEDULES_PK, f"{at}#{tenant_id}#{automation_id}#{sk}"
    return item


def get_schedule(tenant_id: str, automation_id: str) -> ScheduleItem | None:
    try:
        return ScheduleItem.get(automation_pk(tenant_id, automation_id), SCHEDULE_SK)
    except ScheduleItem.DoesNotExist:
        return None


def queue_batch(tenant_id: str, automation_id: str, batch_id: str, at: str, list_id: str,
                requested_by: str | None) -> None:
    _schedule(tenant_id, automation_id, f"BATCH#{batch_id}", at, list_id=list_id,
              requested_by=requested_by).save(condition=ScheduleItem.pk.does_not_exist())


def queue_backfill(tenant_id: str, automation_id: str, at: str) -> None:
    """Fill the brand's month-day index from its people once (a date trigger created or changed):
    for dates set before the index was kept. Saved again if one is pending: same work."""
    _schedule(tenant_id, automation_id, "BACKFILL", at).save()


def due_schedules(now: str) -> Iterator[ScheduleItem]:
    """Clock triggers and list runs due at `now`: one Query (paged), never a Scan."""
    for item in AutomationsItem.gsi3.query(SCHEDULES_PK, AutomationsItem.gsi3sk <= f"{now}#~"):
        if isinstance(item, ScheduleItem):
            yield item


def advance_schedule(item: ScheduleItem, next_at: str | None) -> bool:
    """Move a schedule to its next time (or delete it: a batch done, nothing ahead), conditional on
    the time read: False when another job run, or an edit of the automation, moved it first."""
    from pynamodb.exceptions import DeleteError

    condition = ScheduleItem.next_at == item.next_at
    try:
        if next_at is None:
            ScheduleItem(item.pk, item.sk).delete(condition=condition)
        else:
            ScheduleItem(item.pk, item.sk).update(actions=[
                ScheduleItem.next_at.set(next_at),
                ScheduleItem.gsi3sk.set(f"{next_at}#{item.tenant_id}#{item.automation_id}#{item.sk}")],
                condition=condition)
    except (UpdateError, DeleteError):
        return False
    return True


# ---------------------------------------------------------------- date index (birthdays, date fields)


def person_dates(tenant_id: str, person_id: str) -> dict[str, str]:
    """The date fields the index holds for a person: field → YYYY-MM-DD."""
    out: dict[str, str] = {}
    for item in AutomationsItem.query(person_dates_pk(tenant_id, person_id)):
        if isinstance(item, DateIndexItem):
            out[item.field] = item.value
    return out


def set_person_dates(tenant_id: str, person_id: str, old: dict[str, str], new: dict[str, str]) -> None:
    """Move a person's entries in the month-day index from `old` to `new` (both the index and
    the mirror). Batched, not transactional: a firing checks the person's live value anyway."""
    with DateIndexItem.batch_write() as batch:
        for field, value in old.items():
            if new.get(field) != value:
                batch.delete(DateIndexItem(dates_pk(tenant_id, field, value[5:7] + value[8:10]), f"P#{person_id}"))
                if field not in new:
                    batch.delete(DateIndexItem(person_dates_pk(tenant_id, person_id), f"F#{field}"))
        for field, value in new.items():
            if old.get(field) == value:
                continue
            common: dict[str, Any] = {"tenant_id": tenant_id, "person_id": person_id, "field": field,
                                      "value": value}
            batch.save(DateIndexItem(dates_pk(tenant_id, field, value[5:7] + value[8:10]), f"P#{person_id}", **common))
            batch.save(DateIndexItem(person_dates_pk(tenant_id, person_id), f"F#{field}", **common))


def people_on(tenant_id: str, field: str, month_day: str) -> Iterator[DateIndexItem]:
    """People whose `field` falls on a month-day (MMDD): one paged Query."""
    for item in AutomationsItem.query(dates_pk(tenant_id, field, month_day)):
        if isinstance(item, DateIndexItem):
            yield item


# ---------------------------------------------------------------- event waits


def add_event_wait(run: RunItem, pc: int, event_key: str, params: dict[str, Any], since: str) -> EventWaitItem:
    item = EventWaitItem(event_waits_pk(run.tenant_id, run.person_id or ""),
                         f"{event_key}#{run.automation_id}#{run.run_id}#{pc}", tenant_id=run.tenant_id,
                         automation_id=run.automation_id, run_id=run.run_id, pc=pc, event_key=event_key,
                         params=params, since=since, trigger_event_id=(run.trigger or {}).get("event_id"),
                         ttl=utcnow() + timedelta(days=400))
    item.save()
    return item


def event_waits(tenant_id: str, person_id: str) -> list[EventWaitItem]:
    """Every run of the person waiting for an event: one Query."""
    return [i for i in AutomationsItem.query(event_waits_pk(tenant_id, person_id)) if isinstance(i, EventWaitItem)]


def drop_event_wait(item: EventWaitItem) -> None:
    item.delete()


def drop_event_wait_of(run: RunItem, pc: int, event_key: str) -> None:
    """A timed-out wait's marker (a leftover would only be skipped, then dropped, by the next event)."""
    EventWaitItem(event_waits_pk(run.tenant_id, run.person_id or ""),
                  f"{event_key}#{run.automation_id}#{run.run_id}#{pc}").delete()


def brand_automations(tenant_id: str) -> Iterator[AutomationItem]:
    """Every automation of the brand (its list index, paged Queries): for a tag rename's rewrite."""
    for item in AutomationsItem.gsi1.query(list_pk(tenant_id)):
        if isinstance(item, AutomationItem):
            yield item


def waiting_runs(tenant_id: str, automation_id: str) -> Iterator[RunItem]:
    """The automation's runs that wait (its own partition, paged Query filtered on the status)."""
    for item in AutomationsItem.query(automation_pk(tenant_id, automation_id), AutomationsItem.sk.startswith("RUN#"),
                                      filter_condition=RunItem.status == "waiting"):
        if isinstance(item, RunItem):
            yield item


def move_event_wait(run: RunItem, pc: int, old_key: str, new_key: str, params: dict[str, Any]) -> bool:
    """The run's wait on `old_key` re-filed under `new_key` (a tag renamed): the new marker and the
    old one's delete in one transaction. False, nothing written, when there is no old marker (moved
    already, or the run went on)."""
    pk = event_waits_pk(run.tenant_id, run.person_id or "")
    try:
        old = EventWaitItem.get(pk, f"{old_key}#{run.automation_id}#{run.run_id}#{pc}", consistent_read=True)
    except EventWaitItem.DoesNotExist:
        return False
    new = EventWaitItem(pk, f"{new_key}#{run.automation_id}#{run.run_id}#{pc}", tenant_id=old.tenant_id,
                        automation_id=old.automation_id, run_id=old.run_id, pc=old.pc, event_key=new_key,
                        params=params, since=old.since, trigger_event_id=old.trigger_event_id, ttl=old.ttl)
    try:
        with transaction() as tx:
            tx.save(new)
            tx.delete(EventWaitItem(old.pk, old.sk), condition=EventWaitItem.pk.exists())
    except TransactWriteError as err:
        if condition_failed(err):
            return False
        raise
    return True


# ---------------------------------------------------------------- approvals


def approval_pk(tenant_id: str, approval_id: str) -> str:
    return f"T#{tenant_id}#APPROVAL#{approval_id}"


def _index_approval(item: ApprovalItem) -> None:
    item.gsi1pk = f"T#{item.tenant_id}#APPROVALS#{item.status}"
    item.gsi1sk = f"{item.requested_at}#{item.approval_id}"


def new_approval(tenant_id: str, approval_id: str, **fields: Any) -> bool:
    """Create the approval request once (its id is the run's and the step's): False if it exists."""
    item = ApprovalItem(approval_pk(tenant_id, approval_id), "APPROVAL", tenant_id=tenant_id,
                        approval_id=approval_id, status="pending", **fields)
    _index_approval(item)
    try:
        item.save(condition=ApprovalItem.pk.does_not_exist())
    except PutError:
        return False
    return True


def get_approval(tenant_id: str, approval_id: str) -> ApprovalItem | None:
    try:
        return ApprovalItem.get(approval_pk(tenant_id, approval_id), "APPROVAL", consistent_read=True)
    except ApprovalItem.DoesNotExist:
        return None


def decide_approval(item: ApprovalItem, status: str, by: str, reason: str | None, at: str) -> bool:
    """Pending → approved / rejected, conditionally: two managers deciding at once, one wins."""
    actions: list[Any] = [ApprovalItem.status.set(status), ApprovalItem.decided_by.set(by),
                          ApprovalItem.decided_at.set(at),
                          ApprovalItem.gsi1pk.set(f"T#{item.tenant_id}#APPROVALS#{status}")]
    if reason:
        actions.append(ApprovalItem.reason.set(reason))
    try:
        item.update(actions=actions, condition=ApprovalItem.status == "pending")
    except UpdateError:
        return False
    return True


def list_approvals(tenant_id: str, status: str, cursor: str | None,
                   limit: int | None) -> tuple[list[ApprovalItem], str | None]:
    pk = f"T#{tenant_id}#APPROVALS#{status}"
    start = decode_cursor(cursor, partition_attr="gsi1pk", partition_value=pk)
    page = AutomationsItem.gsi1.query(pk, scan_index_forward=False, limit=clamp_limit(limit),
                                      last_evaluated_key=start)
    return [i for i in page if isinstance(i, ApprovalItem)], encode_cursor(page.last_evaluated_key)


# ---------------------------------------------------------------- counters


def next_turn(tenant_id: str, automation_id: str, step: int) -> int:
    """Round-robin: the counter of one step, after adding 1 (starts at 1)."""
    result = MarkerItem._get_connection().update_item(
        automation_pk(tenant_id, automation_id), f"RR#{step}", actions=[MarkerItem.tally.add(1)],
        return_values="UPDATED_NEW")
    return int(result["Attributes"]["tally"]["N"])


def round_robin_pick(tenant_id: str, automation_id: str, run_id: str, step: int, users: list[str]) -> str:
    """The user this run's step gives to, by turns among `users`. The pick is claimed once per run
    and step (a conditional put), so a retried step gives to the same user and never takes a
    second turn."""
    pk, sk = automation_pk(tenant_id, automation_id), f"PICK#{run_id}#{step}"
    try:
        return str(MarkerItem.get(pk, sk, consistent_read=True).run_id)
    except MarkerItem.DoesNotExist:
        pass
    user = users[(next_turn(tenant_id, automation_id, step) - 1) % len(users)]
    try:
        MarkerItem(pk, sk, tenant_id=tenant_id, automation_id=automation_id, run_id=user,
                   ttl=utcnow() + IDEMPOTENCY_TTL).save(condition=MarkerItem.pk.does_not_exist())
    except PutError:
        return str(MarkerItem.get(pk, sk, consistent_read=True).run_id)
    return user


def take_rate(tenant_id: str, scope: str, window: str, cap: int, ttl_seconds: int) -> bool:
    """Count one more in (scope, window) unless it already holds `cap`: False when capped."""
    try:
        MarkerItem._get_connection().update_item(
            f"T#{tenant_id}#RATE#{scope}#{window}", "N",
            actions=[MarkerItem.tally.add(1), MarkerItem.ttl.set(utcnow() + timedelta(seconds=ttl_seconds))],
            condition=MarkerItem.tally.does_not_exist() | (MarkerItem.tally < cap))
    except UpdateError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


# ---------------------------------------------------------------- inbound hooks


def hook_item(hook_id: str, tenant_id: str, automation_id: str) -> MarkerItem:
    return MarkerItem(f"HOOK#{hook_id}", "HOOK", tenant_id=tenant_id, automation_id=automation_id)


def find_hook(hook_id: str) -> MarkerItem | None:
    try:
        return MarkerItem.get(f"HOOK#{hook_id}", "HOOK")
    except MarkerItem.DoesNotExist:
        return None
