"""The lead flow's data layer: the only pynamodb code of `skailan.leads`; every key is built here.

Leads table (single-table, every pk and per-brand GSI pk starts with `T#<tenant>`):

  lead        pk T#<t>#LEAD#<person>  sk LEAD
              gsi1 T#<t>#QUEUE / <rank>#<at>#<person>  only while the person is in the flow (sparse):
                   rank 0 = never worked (at = person created), 1 = worked (at = last note),
                   2 = closed (at = last note). The queue page is one Query, ascending, so the
                   order is "never worked oldest first, then by last note oldest first, closed
                   last" and a page costs the same at 1 000 and 100 000 leads; a status filter is
                   `begins_with(<rank>#)` on the same Query.
              gsi2 T#<t>#LEADS / <person>   every mirrored person (re-evaluating the flow when
                   the settings change is a Query, not a Scan)
  note        pk T#<t>#LEAD#<person>  sk NOTE#<note id (ULID: sorts by time)>
              gsi3 T#<t>#UNCLASSIFIED / <created_at>#<person>#<note>   only while the note has
                   no outcome (sparse): the classifier job's Query
  template    pk T#<t>#NOTETPL        sk TPL#<id>
  settings    pk T#<t>#LEADCONF       sk SETTINGS
              gsi2 LEADS#AI / <t>       only while AI classification is on (sparse): the job's
                   list of brands to visit, like the CRM's SEGREFRESH# index
  counters    pk T#<t>#REPORT         sk D#<local day>#<metric>   (ADD; one Query per report)
              unique leads            sk U#<local day>#<person>   (conditional put, then ADD)
  applied     pk T#<t>#REPORTEVT#<event id>  sk EVT  (ttl): an event counted once
  outbox      pk T#<t>#outbox#<n>     (skailan.platform.outbox)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.expressions.update import Action

from skailan.platform import outbox
from skailan.platform.cancellation import condition_failed
from skailan.platform.clock import utcnow
from skailan.platform.events import DomainEvent
from skailan.platform.settings import get_settings
from skailan.platform.storage import TableItem, transaction

LEAD_SK = "LEAD"
SETTINGS_SK = "SETTINGS"
NOTE = "NOTE#"
TPL = "TPL#"
RANKS = {"none": "0", "in_progress": "1", "completed": "2"}
AI_INDEX_PK = "LEADS#AI"
APPLIED_TTL = timedelta(days=7)


def lead_pk(tenant_id: str, person_id: str) -> str:
    return f"T#{tenant_id}#LEAD#{person_id}"


def queue_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#QUEUE"


def all_leads_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#LEADS"


def unclassified_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#UNCLASSIFIED"


def templates_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#NOTETPL"


def settings_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#LEADCONF"


def report_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#REPORT"


def queue_sk(status: str, at: str, person_id: str) -> str:
    return f"{RANKS.get(status, '0')}#{at}#{person_id}"


class LeadsItem(TableItem):
    class Meta:
        table_name = get_settings().leads_table

    overloaded_indexes = 3


class LeadItem(LeadsItem, discriminator="lead"):
    tenant_id = UnicodeAttribute()
    person_id = UnicodeAttribute()
    name = UnicodeAttribute(default="")
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    owner_id = UnicodeAttribute(null=True)
    tags = JSONAttribute(default=list)
    list_ids = JSONAttribute(default=list)
    journey_state = UnicodeAttribute(null=True)
    custom = JSONAttribute(default=dict)
    in_flow = BooleanAttribute(default=True)
    status = UnicodeAttribute(default="none")  # none | in_progress | completed
    person_created_at = UnicodeAttribute(null=True)
    last_note_at = UnicodeAttribute(null=True)
    last_note = JSONAttribute(null=True)  # {"id", "text", "author": {"id", "name"}, "created_at", "outcome"}
    last_note_id = UnicodeAttribute(null=True)
    last_outcome = UnicodeAttribute(null=True)  # the last note's outcome (the AI may fill it later)
    reserved_by_id = UnicodeAttribute(null=True)
    reserved_by_name = UnicodeAttribute(null=True)
    notes_count = NumberAttribute(default=0)


class NoteItem(LeadsItem, discriminator="note"):
    tenant_id = UnicodeAttribute()
    person_id = UnicodeAttribute()
    note_id = UnicodeAttribute()
    text = UnicodeAttribute()
    template_id = UnicodeAttribute(null=True)
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute(null=True)
    closed = BooleanAttribute(default=False)
    outcome = UnicodeAttribute(null=True)
    outcome_source = UnicodeAttribute(null=True)  # operator | ai
    outcome_model = UnicodeAttribute(null=True)
    outcome_reason = UnicodeAttribute(null=True)


class TemplateItem(LeadsItem, discriminator="note_template"):
    tenant_id = UnicodeAttribute()
    template_id = UnicodeAttribute()
    title = UnicodeAttribute()
    text = UnicodeAttribute()
    tags = JSONAttribute(default=list)


class SettingsItem(LeadsItem, discriminator="lead_settings"):
    tenant_id = UnicodeAttribute()
    data = JSONAttribute(default=dict)


class CounterItem(LeadsItem, discriminator="lead_counter"):
    tenant_id = UnicodeAttribute()
    day = UnicodeAttribute()
    metric = UnicodeAttribute()
    value = NumberAttribute(default=0)
    label = UnicodeAttribute(null=True)  # an operator's name, for the report


class MarkerItem(LeadsItem, discriminator="lead_marker"):
    tenant_id = UnicodeAttribute()
    ref = UnicodeAttribute(null=True)  # a client note id's marker: the note it created


class Held(Exception):
    """The lead is reserved by someone else (the holder's id and name)."""

    def __init__(self, holder_id: str, holder_name: str | None) -> None:
        super().__init__(holder_id)
        self.holder_id, self.holder_name = holder_id, holder_name


class Duplicate(Exception):
    """The client's note id was used already: the note it created."""

    def __init__(self, note_id: str) -> None:
        super().__init__(note_id)
        self.note_id = note_id


class Busy(Exception):
    """A concurrent transaction on the same lead: the caller may retry."""


# ---------------------------------------------------------------- leads


def get_lead(tenant_id: str, person_id: str, *, consistent: bool = False) -> LeadItem | None:
    try:
        return LeadItem.get(lead_pk(tenant_id, person_id), LEAD_SK, consistent_read=consistent)
    except LeadItem.DoesNotExist:
        return None


def batch_leads(tenant_id: str, person_ids: list[str]) -> dict[str, LeadItem]:
    keys = [(lead_pk(tenant_id, p), LEAD_SK) for p in dict.fromkeys(person_ids)]
    return {i.person_id: i for i in LeadItem.batch_get(keys)} if keys else {}


def place_in_queue(item: LeadItem) -> None:
    """Set the queue keys from the lead's status and dates (gsi1 only while it is in the flow)."""
    at = item.last_note_at if item.status != "none" and item.last_note_at else (item.person_created_at or "")
    item.gsi1pk = queue_pk(item.tenant_id) if item.in_flow else None
    item.gsi1sk = queue_sk(item.status, at, item.person_id) if item.in_flow else None
    item.gsi2pk, item.gsi2sk = all_leads_pk(item.tenant_id), item.person_id


def new_lead(tenant_id: str, person_id: str, now: str) -> LeadItem:
    return LeadItem(lead_pk(tenant_id, person_id), LEAD_SK, tenant_id=tenant_id, person_id=person_id,
                    created_at=now, updated_at=now)


MIRRORED = ("name", "email", "phone", "owner_id", "tags", "list_ids", "journey_state", "custom", "in_flow",
            "person_created_at")


def save_mirror(tenant_id: str, person_id: str, fields: Mapping[str, Any], now: str) -> LeadItem:
    """Create or refresh a lead's copy of the person (never touching its notes' state)."""
    for _ in range(5):
        item = get_lead(tenant_id, person_id, consistent=True)
        exists = item is not None
        if item is None:
            item = new_lead(tenant_id, person_id, now)
        before = item.updated_at
        for key in MIRRORED:
            if key in fields:
                setattr(item, key, fields[key])
        item.updated_at = now
        place_in_queue(item)
        condition = (LeadItem.updated_at == before) if exists and before else LeadItem.pk.does_not_exist()
        try:
            item.save(condition=condition)
            return item
        except PutError as err:
            if err.cause_response_code != "ConditionalCheckFailedException":
                raise
    raise Busy(person_id)


def _mirror_state(item: LeadItem) -> tuple[Any, ...]:
    return (item.gsi1pk, item.gsi1sk, item.gsi2pk, item.gsi2sk, *(getattr(item, key) for key in MIRRORED))


def save_mirrors(tenant_id: str, found: Mapping[str, LeadItem], fields: Mapping[str, Mapping[str, Any]],
                 now: str) -> dict[str, LeadItem]:
    """`save_mirror` for many people at once, from leads read in one BatchGet (`found`): a lead
    whose copy is already current is not written; the others go 100 per transaction, each guarded
    by the version it was read at (or by not existing yet). A chunk a concurrent change beat is
    redone one by one with `save_mirror`, which reads again."""
    saved: dict[str, LeadItem] = {}
    pending: list[tuple[LeadItem, Any]] = []
    for person_id, values in fields.items():
        item = found.get(person_id)
        exists = item is not None
        if item is None:
            item = new_lead(tenant_id, person_id, now)
        before, read_at = _mirror_state(item), item.updated_at
        for key in MIRRORED:
            if key in values:
                setattr(item, key, values[key])
        place_in_queue(item)
        saved[person_id] = item
        if exists and _mirror_state(item) == before:
            continue  # nothing the lead copies changed: no write
        item.updated_at = now
        pending.append((item, (LeadItem.updated_at == read_at) if exists and read_at else LeadItem.pk.does_not_exist()))
    for start in range(0, len(pending), 100):
        chunk = pending[start:start + 100]
        try:
            if len(chunk) == 1:
                chunk[0][0].save(condition=chunk[0][1])
            else:
                with transaction() as tx:
                    for item, condition in chunk:
                        tx.save(item, condition=condition)
        except (PutError, TransactWriteError) as err:
            if isinstance(err, PutError) and err.cause_response_code != "ConditionalCheckFailedException":
                raise
            for item, _ in chunk:
                saved[item.person_id] = save_mirror(tenant_id, item.person_id, fields[item.person_id], now)
    return saved


def delete_leads(tenant_id: str, person_ids: Sequence[str]) -> None:
    with LeadItem.batch_write() as batch:
        for person_id in person_ids:
            batch.delete(LeadItem(lead_pk(tenant_id, person_id), LEAD_SK))


def set_in_flow(leads: Sequence[LeadItem], wanted: bool, now: str) -> list[str]:
    """Move leads read from the brand's index in or out of the flow, 100 per transaction (a flow
    change touches most of a brand's leads). Each is guarded by the version it was read at; returns
    the person ids of the chunks a concurrent change beat, for the caller to redo one by one."""
    beaten: list[str] = []
    for start in range(0, len(leads), 100):
        chunk = leads[start:start + 100]
        try:
            with transaction() as tx:
                for lead in chunk:
                    before = lead.updated_at
                    lead.in_flow = wanted
                    lead.updated_at = now
                    place_in_queue(lead)
                    # only what moves (a whole-item put of 100 leads is most of a flow change's cost)
                    actions: list[Action] = [LeadItem.in_flow.set(wanted), LeadItem.updated_at.set(now),
                                             LeadItem.gsi2pk.set(lead.gsi2pk), LeadItem.gsi2sk.set(lead.gsi2sk)]
                    actions += ([LeadItem.gsi1pk.set(lead.gsi1pk), LeadItem.gsi1sk.set(lead.gsi1sk)] if lead.gsi1pk
                                else [LeadItem.gsi1pk.remove(), LeadItem.gsi1sk.remove()])
                    tx.update(LeadItem(lead.pk, LEAD_SK), actions=actions,
                              condition=LeadItem.pk.exists() & ((LeadItem.updated_at == before) if before
                                                                else LeadItem.updated_at.does_not_exist()))
        except TransactWriteError:
            beaten.extend(lead.person_id for lead in chunk)
    return beaten


def delete_lead(tenant_id: str, person_id: str) -> None:
    LeadItem(lead_pk(tenant_id, person_id), LEAD_SK).delete()


def queue_page(tenant_id: str, *, status: str | None, limit: int, start: dict[str, Any] | None,
               filter_condition: Any = None) -> tuple[list[LeadItem], dict[str, Any] | None]:
    condition = LeadItem.gsi1sk.startswith(RANKS[status] + "#") if status else None
    results = LeadItem.gsi1.query(queue_pk(tenant_id), condition, limit=limit, last_evaluated_key=start,
                                  filter_condition=filter_condition, page_size=limit)
    return list(results), results.last_evaluated_key


# What a flow change reads of each lead: its lists and what places it in the queue.
FLOW_ATTRIBUTES = ["pk", "sk", "kind", "tenant_id", "person_id", "list_ids", "in_flow", "status", "last_note_at",
                   "person_created_at", "updated_at"]


def all_leads(tenant_id: str, *, flow_only: bool = False) -> Iterator[LeadItem]:
    """The brand's leads (a paged Query on its index); `flow_only` reads only FLOW_ATTRIBUTES."""
    return LeadItem.gsi2.query(all_leads_pk(tenant_id), page_size=500 if flow_only else 200,
                               attributes_to_get=FLOW_ATTRIBUTES if flow_only else None)


def leads_in_list(tenant_id: str, list_id: str) -> list[str]:
    """Person ids of the brand's leads that copy `list_id` (a deleted list): the brand's leads
    index with a filter, so only those come back (a rare, whole-brand walk off the request path)."""
    found = LeadItem.gsi2.query(all_leads_pk(tenant_id), filter_condition=LeadItem.list_ids.contains(list_id),  # type: ignore[attr-defined]
                                page_size=500, attributes_to_get=["pk", "sk", "kind", "person_id"])
    return [lead.person_id for lead in found]


def list_filter(list_id: str | None, owner_id: str | None, outcome: str | None) -> Any:
    """Filters applied to the page a queue Query reads (the driving key stays the queue)."""
    condition = None
    for part in ((LeadItem.list_ids.contains(list_id)) if list_id else None,  # type: ignore[attr-defined]
                 (LeadItem.owner_id == owner_id) if owner_id else None,
                 (LeadItem.last_outcome == outcome) if outcome else None):
        if part is not None:
            condition = part if condition is None else condition & part
    return condition


# ---------------------------------------------------------------- notes


def new_note(tenant_id: str, person_id: str, note_id: str, now: str, **fields: Any) -> NoteItem:
    note = NoteItem(lead_pk(tenant_id, person_id), NOTE + note_id, tenant_id=tenant_id, person_id=person_id,
                    note_id=note_id, created_at=now, updated_at=now, **fields)
    if not note.outcome:
        note.gsi3pk, note.gsi3sk = unclassified_pk(tenant_id), f"{now}#{person_id}#{note_id}"
    return note


def client_marker_sk(client_note_id: str) -> str:
    return f"CLIENT#{client_note_id}"


def write_note(lead: LeadItem, note: NoteItem, events: list[DomainEvent], *, reserve: bool,
               holder_id: str, holder_name: str | None, expected_updated_at: str | None,
               client_note_id: str | None = None) -> None:
    """The note, the lead's new state and the events in ONE transaction.

    When `reserve`, the lead's update carries the reservation's condition (free, or already the
    caller's): two operators' first notes at the same moment get one winner, and the loser's note
    is not written at all (no half state). `lead` holds the values to write; its `updated_at`
    as read is the optimistic check for leads that existed. A `client_note_id` is claimed by a
    marker in the same transaction: a retried POST finds it and gets `Duplicate` (the first note)."""
    actions: list[Action] = [
        LeadItem.status.set(lead.status), LeadItem.last_note_at.set(lead.last_note_at),
        LeadItem.last_note.set(lead.last_note), LeadItem.notes_count.add(1),
        LeadItem.last_note_id.set(note.note_id),
        LeadItem.last_outcome.set(note.outcome) if note.outcome else LeadItem.last_outcome.remove(),
        LeadItem.updated_at.set(lead.updated_at),
    ]
    if lead.gsi1pk:
        actions += [LeadItem.gsi1pk.set(lead.gsi1pk), LeadItem.gsi1sk.set(lead.gsi1sk)]
    # Optimistic: the lead is still as read (status, first note and queue position follow from it).
    condition = LeadItem.pk.exists() & (
        (LeadItem.updated_at == expected_updated_at) if expected_updated_at else LeadItem.updated_at.does_not_exist())
    if reserve:
        actions += [LeadItem.reserved_by_id.set(holder_id), LeadItem.reserved_by_name.set(holder_name or "")]
        condition = condition & (LeadItem.reserved_by_id.does_not_exist() | (LeadItem.reserved_by_id == holder_id))
    try:
        with transaction() as tx:
            tx.save(note, condition=NoteItem.pk.does_not_exist())
            if client_note_id:
                tx.save(MarkerItem(lead.pk, client_marker_sk(client_note_id), tenant_id=lead.tenant_id,
                                   ref=note.note_id, ttl=utcnow() + APPLIED_TTL),
                        condition=MarkerItem.pk.does_not_exist())
            tx.update(LeadItem(lead.pk, LEAD_SK), actions=actions, condition=condition)
            outbox.add(tx, events, get_settings().leads_table)
    except TransactWriteError as err:
        if client_note_id and condition_failed(err, 1):
            marker = find_client_note(lead.tenant_id, lead.person_id, client_note_id)
            if marker:
                raise Duplicate(marker) from err
        if condition_failed(err):
            current = get_lead(lead.tenant_id, lead.person_id, consistent=True)
            if current is not None and current.reserved_by_id and current.reserved_by_id != holder_id:
                raise Held(current.reserved_by_id, current.reserved_by_name) from err
        raise Busy(lead.person_id) from err


def find_client_note(tenant_id: str, person_id: str, client_note_id: str) -> str | None:
    try:
        return MarkerItem.get(lead_pk(tenant_id, person_id), client_marker_sk(client_note_id),
                              consistent_read=True).ref
    except MarkerItem.DoesNotExist:
        return None


def update_lead_state(lead: LeadItem, events: list[DomainEvent], *, status: str | None = None,
                      holder: tuple[str, str | None] | bool | None = False) -> None:
    """Status change (reopen) or reservation change (release / reassign), with its events.
    `holder=None` releases, a tuple sets the holder, False leaves it."""
    actions: list[Action] = [LeadItem.updated_at.set(lead.updated_at)]
    if status is not None:
        actions.append(LeadItem.status.set(status))
    if lead.gsi1pk:
        actions += [LeadItem.gsi1pk.set(lead.gsi1pk), LeadItem.gsi1sk.set(lead.gsi1sk)]
    if holder is None:
        actions += [LeadItem.reserved_by_id.remove(), LeadItem.reserved_by_name.remove()]
    elif isinstance(holder, tuple):
        actions += [LeadItem.reserved_by_id.set(holder[0]), LeadItem.reserved_by_name.set(holder[1] or "")]
    try:
        with transaction() as tx:
            tx.update(LeadItem(lead.pk, LEAD_SK), actions=actions, condition=LeadItem.pk.exists())
            outbox.add(tx, events, get_settings().leads_table)
    except TransactWriteError as err:
        raise Busy(lead.person_id) from err


def get_note(tenant_id: str, person_id: str, note_id: str) -> NoteItem | None:
    try:
        return NoteItem.get(lead_pk(tenant_id, person_id), NOTE + note_id)
    except NoteItem.DoesNotExist:
        return None


def notes_page(tenant_id: str, person_id: str, *, limit: int,
               start: dict[str, Any] | None) -> tuple[list[NoteItem], dict[str, Any] | None]:
    results = NoteItem.query(lead_pk(tenant_id, person_id), NoteItem.sk.startswith(NOTE), scan_index_forward=False,
                             limit=limit, last_evaluated_key=start, page_size=limit)
    return list(results), results.last_evaluated_key


def unclassified_notes(tenant_id: str, limit: int) -> list[NoteItem]:
    return list(NoteItem.gsi3.query(unclassified_pk(tenant_id), limit=limit, page_size=limit))


def set_outcome(note: NoteItem, outcome: str, source: str, model: str | None, reason: str | None, now: str,
                events: list[DomainEvent]) -> bool:
    """Store an outcome the AI found — only while the note still has none (an operator's own
    choice always wins and is never overwritten). False when it already had one."""
    actions: list[Action] = [NoteItem.outcome.set(outcome), NoteItem.outcome_source.set(source),
               NoteItem.updated_at.set(now), NoteItem.gsi3pk.remove(), NoteItem.gsi3sk.remove()]
    if model:
        actions.append(NoteItem.outcome_model.set(model))
    if reason:
        actions.append(NoteItem.outcome_reason.set(reason[:500]))
    try:
        with transaction() as tx:
            tx.update(NoteItem(note.pk, note.sk), actions=actions,
                      condition=NoteItem.pk.exists() & NoteItem.outcome.does_not_exist())
            outbox.add(tx, events, get_settings().leads_table)
    except TransactWriteError:
        return False
    return True


def set_last_note_outcome(tenant_id: str, person_id: str, note_id: str, outcome: str) -> None:
    """The queue shows the last note's outcome: updated only if that note is still the last."""
    from pynamodb.exceptions import UpdateError

    item = LeadItem(lead_pk(tenant_id, person_id), LEAD_SK)
    try:
        item.update(actions=[LeadItem.last_outcome.set(outcome)], condition=LeadItem.last_note_id == note_id)
    except UpdateError as err:
        if err.cause_response_code != "ConditionalCheckFailedException":
            raise


# ---------------------------------------------------------------- templates


def new_template(tenant_id: str, template_id: str, now: str, **fields: Any) -> TemplateItem:
    return TemplateItem(templates_pk(tenant_id), TPL + template_id, tenant_id=tenant_id, template_id=template_id,
                        created_at=now, updated_at=now, **fields)


def save_template(item: TemplateItem, *, new: bool, events: list[DomainEvent]) -> bool:
    """False when `new` and the id is taken, or not `new` and the template is gone."""
    condition = TemplateItem.pk.does_not_exist() if new else TemplateItem.pk.exists()
    try:
        with transaction() as tx:
            tx.save(item, condition=condition)
            outbox.add(tx, events, get_settings().leads_table)
    except TransactWriteError:
        return False
    return True


def retag_template(item: TemplateItem, tags: list[str], now: str, events: list[DomainEvent]) -> bool:
    """The template's tags rewritten (a tag renamed) with its events, only if it is still as read
    (`updated_at`); False, nothing written, when it changed or is gone (read it again)."""
    read_at = item.updated_at
    item.tags, item.updated_at = tags, now
    try:
        with transaction() as tx:
            tx.save(item, condition=TemplateItem.updated_at == read_at)
            outbox.add(tx, events, get_settings().leads_table)
    except TransactWriteError:
        return False
    return True


def delete_template(tenant_id: str, template_id: str, events: list[DomainEvent]) -> bool:
    try:
        with transaction() as tx:
            tx.delete(TemplateItem(templates_pk(tenant_id), TPL + template_id), condition=TemplateItem.pk.exists())
            outbox.add(tx, events, get_settings().leads_table)
    except TransactWriteError:
        return False
    return True


def get_template(tenant_id: str, template_id: str) -> TemplateItem | None:
    try:
        return TemplateItem.get(templates_pk(tenant_id), TPL + template_id)
    except TemplateItem.DoesNotExist:
        return None


def list_templates(tenant_id: str) -> list[TemplateItem]:
    return list(TemplateItem.query(templates_pk(tenant_id), TemplateItem.sk.startswith(TPL)))


# ---------------------------------------------------------------- settings


def get_settings_data(tenant_id: str) -> dict[str, Any] | None:
    try:
        return dict(SettingsItem.get(settings_pk(tenant_id), SETTINGS_SK).data or {})
    except SettingsItem.DoesNotExist:
        return None


def save_settings_data(tenant_id: str, data: dict[str, Any], now: str, events: list[DomainEvent]) -> None:
    ai_on = bool((data.get("ai") or {}).get("enabled"))
    item = SettingsItem(settings_pk(tenant_id), SETTINGS_SK, tenant_id=tenant_id, data=data, updated_at=now,
                        gsi2pk=AI_INDEX_PK if ai_on else None, gsi2sk=tenant_id if ai_on else None)
    with transaction() as tx:
        tx.save(item)
        outbox.add(tx, events, get_settings().leads_table)


def tenants_with_ai() -> list[str]:
    return [i.tenant_id for i in SettingsItem.gsi2.query(AI_INDEX_PK)]


# ---------------------------------------------------------------- report counters


def apply_counters(tenant_id: str, event_id: str, counts: list[tuple[str, str, int, str | None]]) -> bool:
    """ADD each (day, metric, delta, label) once per event id; False when the event was counted."""
    applied = MarkerItem(f"T#{tenant_id}#REPORTEVT#{event_id}", "EVT", tenant_id=tenant_id,
                         ttl=utcnow() + APPLIED_TTL)
    return _count_once(tenant_id, applied, counts)


def mark_unique(tenant_id: str, day: str, person_id: str, counts: list[tuple[str, int, str | None]], *,
                operator_id: str | None = None) -> bool:
    """The first contact of a lead on a local day (by anyone, or by `operator_id`): a marker and
    the unique counters, once."""
    sk = f"V#{day}#{operator_id}#{person_id}" if operator_id else f"U#{day}#{person_id}"
    marker = MarkerItem(report_pk(tenant_id), sk, tenant_id=tenant_id)
    return _count_once(tenant_id, marker, [(day, metric, delta, label) for metric, delta, label in counts])


def _count_once(tenant_id: str, marker: MarkerItem, counts: list[tuple[str, str, int, str | None]]) -> bool:
    """The marker (put only if absent) and each (day, metric, delta, label) ADD in one
    transaction; False when the marker was there, so nothing is counted twice."""
    try:
        with transaction() as tx:
            tx.save(marker, condition=MarkerItem.pk.does_not_exist())
            for day, metric, delta, label in counts:
                actions: list[Action] = [CounterItem.value.add(delta), CounterItem.tenant_id.set(tenant_id),
                                         CounterItem.day.set(day), CounterItem.metric.set(metric),
                                         CounterItem.kind.set(CounterItem)]
                if label:
                    actions.append(CounterItem.label.set(label))
                tx.update(CounterItem(report_pk(tenant_id), f"D#{day}#{metric}"), actions=actions)
    except TransactWriteError as err:
        if condition_failed(err, 0):
            return False
        raise
    return True


def counters(tenant_id: str, day_from: str, day_to: str) -> list[CounterItem]:
    return list(CounterItem.query(report_pk(tenant_id), CounterItem.sk.between(f"D#{day_from}", f"D#{day_to}#~")))


def unique_people(tenant_id: str, day_from: str, day_to: str) -> set[str]:
    """Distinct leads contacted in a range of days (one marker per lead and day)."""
    found = MarkerItem.query(report_pk(tenant_id), MarkerItem.sk.between(f"U#{day_from}", f"U#{day_to}#~"),
                             attributes_to_get=["sk"])
    return {i.sk.rsplit("#", 1)[-1] for i in found}
