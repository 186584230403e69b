"""The queue and the notes: who is in the flow, in what order, and what a note does to a lead.

- A lead is the flow's copy of a CRM person (`mirror_person`), kept in step from CRM events by
  the leads worker and refreshed on demand when a note arrives before the event did.
- A note, the lead's new status, its reservation and the events are ONE transaction
  (`store.write_note`) with an optimistic check on the lead as read; the reservation is a
  condition in it, so two first notes at the same moment give exactly one holder and the other
  caller a 409 naming the holder, with nothing of theirs written.
- A note template's tags are added to the person right after the note, through the CRM's own
  `update_person` (a `contact.updated` event, so automations and segments see it). Tags the
  brand has never used are created, as everywhere in the CRM (tags are free vocabulary there).
"""

from __future__ import annotations

from typing import Any

from skailan.leads import flow_settings, store
from skailan.leads.catalogue import (
    LEAD_NOTE_ADDED,
    LEAD_REASSIGNED,
    LEAD_RELEASED,
    LEAD_RESERVED,
    LEAD_STATUS_CHANGED,
)
from skailan.leads.events import build
from skailan.leads.models import (
    LeadLastNoteOut,
    LeadNoteIn,
    LeadNoteOut,
    LeadOut,
    LeadPage,
    LeadPersonRef,
    LeadUserRef,
)
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.events import DomainEvent
from skailan.platform.i18n import both
from skailan.platform.ids import is_valid_id, new_id
from skailan.platform.observability import logger
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor

ATTEMPTS = 4


def lead_not_found() -> NotFound:
    return NotFound(both("Lead no encontrado", "Lead not found"), code="lead_not_found")


# ---------------------------------------------------------------- mirror of the CRM person


def in_flow(conf: dict[str, Any], list_ids: list[str]) -> bool:
    wanted = set(conf.get("list_ids") or [])
    return not wanted or bool(wanted & set(list_ids))


def mirror_person(tenant_id: str, person_id: str, conf: dict[str, Any] | None = None) -> store.LeadItem | None:
    """Create or refresh the lead of a person from the CRM; None (and no lead) when the person is
    gone, merged away or not in this brand."""
    return mirror_people(tenant_id, [person_id], conf).get(person_id)


def mirror_people(tenant_id: str, person_ids: list[str],
                  conf: dict[str, Any] | None = None) -> dict[str, store.LeadItem | None]:
    """`mirror_person` for many people at once (an import's 50, a list event's 100): a fixed
    number of requests per call plus ~1 per 100 people — the people, their lists and their leads
    in batches, the settings once, the changed leads 100 per transaction — never anything read
    per person of the brand. Returns each valid id's lead (None when it has none)."""
    from skailan.crm.audiences.lists import lists_of_people
    from skailan.crm.store.person_reads import batch_people

    ids = [p for p in dict.fromkeys(person_ids) if is_valid_id(p)]
    if not ids:
        return {}
    people = batch_people(tenant_id, ids)
    live = {p: people[p] for p in ids if p in people and not people[p].deleted_at and not people[p].merged_into}
    leads = store.batch_leads(tenant_id, ids)
    out: dict[str, store.LeadItem | None] = {p: None for p in ids if p not in live}
    gone = [p for p in out if p in leads]
    if gone:
        store.delete_leads(tenant_id, gone)
    if not live:
        return out
    lists = lists_of_people(tenant_id, list(live))
    conf = conf if conf is not None else flow_settings.load(tenant_id)
    now = iso()
    fields = {}
    for person_id, person in live.items():
        known = leads.get(person_id)
        fields[person_id] = {
            "name": person.name, "email": person.email, "phone": person.phone, "owner_id": person.owner_id,
            "tags": list(person.tags or []), "list_ids": lists[person_id], "journey_state": person.journey_state,
            "custom": dict(person.custom or {}), "in_flow": in_flow(conf, lists[person_id]),
            "person_created_at": person.created_at or (known.person_created_at if known else None) or now}
    out.update(store.save_mirrors(tenant_id, leads, fields, now))
    return out


def refresh_flow(tenant_id: str) -> int:
    """After the flow's lists changed: every lead's membership again (a Query over the brand's leads)."""
    conf = flow_settings.load(tenant_id)
    flips: dict[bool, list[store.LeadItem]] = {True: [], False: []}
    for lead in store.all_leads(tenant_id, flow_only=True):
        wanted = in_flow(conf, list(lead.list_ids or []))
        if wanted != lead.in_flow:
            flips[wanted].append(lead)
    now = iso()
    for wanted, leads in flips.items():
        for person_id in store.set_in_flow(leads, wanted, now):  # beaten by a concurrent change: read again
            current = store.get_lead(tenant_id, person_id, consistent=True)
            if current is not None:
                store.save_mirror(tenant_id, person_id, {"in_flow": in_flow(conf, list(current.list_ids or []))}, iso())
    return len(flips[True]) + len(flips[False])


def _lead(tenant_id: str, person_id: str) -> store.LeadItem:
    lead = store.get_lead(tenant_id, person_id, consistent=True) if is_valid_id(person_id) else None
    if lead is None:
        lead = mirror_person(tenant_id, person_id)
    if lead is None:
        raise lead_not_found()
    return lead


# ---------------------------------------------------------------- queue


def _display(lead: store.LeadItem, fields: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in fields:
        if name == "tags":
            values[name] = list(lead.tags or [])
        elif name == "lists":
            values[name] = list(lead.list_ids or [])
        elif name == "owner":
            values[name] = lead.owner_id
        elif name.startswith("custom."):
            values[name] = (lead.custom or {}).get(name.split(".", 1)[1])
        else:
            values[name] = getattr(lead, name, None)
    return values


def to_out(lead: store.LeadItem, display_fields: list[str]) -> LeadOut:
    last = lead.last_note
    return LeadOut(
        person=LeadPersonRef(id=lead.person_id, name=lead.name, email=lead.email, phone=lead.phone),
        lead_status=lead.status or "none",  # type: ignore[arg-type]
        last_note=LeadLastNoteOut(id=last["id"], text=last["text"], author=LeadUserRef(**last["author"]),
                              created_at=last["created_at"],
                                  outcome=lead.last_outcome or last.get("outcome")) if last else None,  # type: ignore[arg-type]
        reserved_by=LeadUserRef(id=lead.reserved_by_id, name=lead.reserved_by_name or None) if lead.reserved_by_id else None,
        notes_count=int(lead.notes_count or 0),
        display=_display(lead, display_fields),
    )


def list_leads(tenant_id: str, *, q: str | None, status: str | None, list_id: str | None, owner_id: str | None,
               outcome: str | None, cursor: str | None, limit: int | None) -> LeadPage[LeadOut]:
    conf = flow_settings.load(tenant_id)
    size = clamp_limit(limit)
    if q:
        return _search(tenant_id, conf, q, status=status, list_id=list_id, owner_id=owner_id, outcome=outcome,
                       cursor=cursor, limit=size)
    start = decode_cursor(cursor, partition_attr="gsi1pk", partition_value=store.queue_pk(tenant_id))
    items, last = store.queue_page(tenant_id, status=status, limit=size, start=start,
                                   filter_condition=store.list_filter(list_id, owner_id, outcome))
    return LeadPage[LeadOut](items=[to_out(i, conf["display_fields"]) for i in items], next_cursor=encode_cursor(last))


def _search(tenant_id: str, conf: dict[str, Any], q: str, *, status: str | None, list_id: str | None,
            owner_id: str | None, outcome: str | None, cursor: str | None, limit: int) -> LeadPage[LeadOut]:
    """Name prefix, phone or e-mail: the CRM's own search finds the people, their leads come with
    one BatchGet; the flow's filters apply to that page. A person the worker has not mirrored yet
    (just created) is mirrored here, so search finds people at once."""
    from skailan.crm.people.service import PeopleFilter, list_people

    people = list_people(tenant_id, PeopleFilter(q=q), cursor=cursor, limit=limit)
    leads: dict[str, store.LeadItem | None] = dict(store.batch_leads(tenant_id, [p.id for p in people.items]))
    missing = [p.id for p in people.items if p.id not in leads]
    if missing:
        leads.update(mirror_people(tenant_id, missing, conf))
    found = []
    for person in people.items:
        lead = leads.get(person.id)
        if lead is None or not lead.in_flow:
            continue
        if status and (lead.status or "none") != status:
            continue
        if list_id and list_id not in (lead.list_ids or []):
            continue
        if owner_id and lead.owner_id != owner_id:
            continue
        if outcome and lead.last_outcome != outcome:
            continue
        found.append(to_out(lead, conf["display_fields"]))
    return LeadPage[LeadOut](items=found, next_cursor=people.next_cursor)


def get_lead(tenant_id: str, person_id: str) -> LeadOut:
    return to_out(_lead(tenant_id, person_id), flow_settings.load(tenant_id)["display_fields"])


# ---------------------------------------------------------------- notes


def note_out(note: store.NoteItem, lead_status: str, tags_applied: list[str] | None = None) -> LeadNoteOut:
    return LeadNoteOut(id=note.note_id, person_id=note.person_id, text=note.text, template_id=note.template_id,
                   author=LeadUserRef(id=note.author_id, name=note.author_name), created_at=note.created_at or "",
                   closed=bool(note.closed), outcome=note.outcome,  # type: ignore[arg-type]
                   outcome_source=note.outcome_source,  # type: ignore[arg-type]
                   outcome_model=note.outcome_model, lead_status=lead_status,  # type: ignore[arg-type]
                   tags_applied=tags_applied or [])


def holder_conflict(holder_id: str, holder_name: str | None) -> Conflict:
    name = holder_name or holder_id
    return Conflict(both(f"{name} ya está trabajando este lead", f"{name} is already working this lead"),
                    code="lead_reserved", details={"holder": {"id": holder_id, "name": holder_name or None}})


def add_note(caller: Caller, person_id: str, body: LeadNoteIn) -> LeadNoteOut:
    tenant_id = caller.tenant_id
    text = body.text
    template = None
    if body.template_id:
        template = store.get_template(tenant_id, body.template_id)
        if template is None:
            raise Unprocessable(both("La nota predefinida no existe", "The note template does not exist"),
                                code="unknown_template",
                                details=[{"field": "template_id", "error": "unknown_template"}])
        text = text or template.text
    if not text or not text.strip():
        raise Unprocessable(both("La nota está vacía", "The note is empty"), code="empty_note",
                            details=[{"field": "text", "error": "required"}])
    if body.client_note_id:  # a retry of a note that stood: the same answer, nothing written
        done = store.find_client_note(tenant_id, person_id, body.client_note_id) if is_valid_id(person_id) else None
        if done:
            return _replayed(tenant_id, person_id, done)
    conf = flow_settings.load(tenant_id)
    reserve = caller.kind == "user" and (caller.role or "") in conf["reserve_roles"]
    author_name = caller.name or caller.email
    note_id = new_id()
    for attempt in range(ATTEMPTS):
        lead = _lead(tenant_id, person_id)
        if reserve and lead.reserved_by_id and lead.reserved_by_id != caller.principal_id:
            raise holder_conflict(lead.reserved_by_id, lead.reserved_by_name)
        now = iso()
        old_status = lead.status or "none"
        new_status = "completed" if body.close else ("in_progress" if old_status == "none" else old_status)
        note = store.new_note(tenant_id, lead.person_id, note_id, now, text=text, template_id=body.template_id,
                              author_id=caller.principal_id, author_name=author_name, closed=body.close,
                              outcome=body.outcome, outcome_source="operator" if body.outcome else None)
        expected = lead.updated_at
        lead.status, lead.last_note_at, lead.updated_at = new_status, now, now
        lead.last_note = {"id": note_id, "text": text[:500], "author": {"id": caller.principal_id, "name": author_name},
                          "created_at": now, "outcome": body.outcome}
        store.place_in_queue(lead)
        events = _note_events(caller, lead, note, old_status, first=not lead.notes_count,
                              reserving=reserve and not lead.reserved_by_id)
        try:
            store.write_note(lead, note, events, reserve=reserve, holder_id=caller.principal_id,
                             holder_name=author_name, expected_updated_at=expected,
                             client_note_id=body.client_note_id)
        except store.Duplicate as duplicate:
            return _replayed(tenant_id, lead.person_id, duplicate.note_id)
        except store.Held as held:
            raise holder_conflict(held.holder_id, held.holder_name) from held
        except store.Busy:
            if attempt == ATTEMPTS - 1:
                raise Conflict(both("El lead cambió; vuelve a intentarlo", "The lead changed; try again"),
                               code="concurrent_update") from None
            continue
        applied = _apply_template_tags(caller, lead.person_id, list(template.tags or [])) if template else []
        return note_out(note, new_status, applied)
    raise AssertionError("unreachable")


def _replayed(tenant_id: str, person_id: str, note_id: str) -> LeadNoteOut:
    note = store.get_note(tenant_id, person_id, note_id)
    lead = store.get_lead(tenant_id, person_id)
    if note is None or lead is None:
        raise lead_not_found()
    return note_out(note, lead.status or "none")


def _note_events(caller: Caller, lead: store.LeadItem, note: store.NoteItem, old_status: str, *, first: bool,
                 reserving: bool) -> list[DomainEvent]:
    tenant_id, person_id = lead.tenant_id, lead.person_id
    events = [build(tenant_id, LEAD_NOTE_ADDED, caller=caller, entity_type="lead", entity_id=person_id,
                    data={"person_id": person_id, "note_id": note.note_id, "text": note.text,
                          "template_id": note.template_id, "author_id": note.author_id,
                          "author_name": note.author_name, "created_at": note.created_at, "outcome": note.outcome,
                          "outcome_source": note.outcome_source, "closed": bool(note.closed), "first_note": first})]
    if lead.status != old_status:
        events.append(build(tenant_id, LEAD_STATUS_CHANGED, caller=caller, entity_type="lead", entity_id=person_id,
                            data={"person_id": person_id, "from_status": old_status, "to_status": lead.status}))
    if reserving:
        events.append(build(tenant_id, LEAD_RESERVED, caller=caller, entity_type="lead", entity_id=person_id,
                            data={"person_id": person_id, "holder_id": caller.principal_id,
                                  "holder_name": note.author_name}))
    return events


def _apply_template_tags(caller: Caller, person_id: str, tags: list[str]) -> list[str]:
    """The template's tags on the person at once, through the CRM (its event, its counters)."""
    from skailan.crm.people.models import PersonPatchIn
    from skailan.crm.people.service import update_person
    from skailan.crm.store.person_reads import load_person
    from skailan.crm.values.text import tag_key

    if not tags:
        return []
    for _ in range(ATTEMPTS):
        person = load_person(caller.tenant_id, person_id)
        have = {tag_key(t) for t in person.tags or []}
        missing = [t for t in tags if tag_key(t) not in have]
        if not missing:
            return []
        try:
            update_person(caller, person_id, PersonPatchIn(tags=[*(person.tags or []), *missing]))
            return missing
        except Conflict:  # the person changed between the read and the write: read again
            continue
    logger.warning("template tags not applied", tenant_id=caller.tenant_id, person_id=person_id, tags=tags)
    raise Conflict(both("La nota se guardó, pero las etiquetas no se aplicaron; vuelve a intentarlo",
                        "The note was saved but its tags were not applied; try again"), code="tags_not_applied")


def list_notes(tenant_id: str, person_id: str, *, cursor: str | None, limit: int | None) -> LeadPage[LeadNoteOut]:
    lead = _lead(tenant_id, person_id)
    pk = store.lead_pk(tenant_id, lead.person_id)
    items, last = store.notes_page(tenant_id, lead.person_id, limit=clamp_limit(limit),
                                   start=decode_cursor(cursor, partition_attr="pk", partition_value=pk))
    status = lead.status or "none"
    return LeadPage[LeadNoteOut](items=[note_out(n, status) for n in items], next_cursor=encode_cursor(last))


# ---------------------------------------------------------------- status and reservation


def reopen(caller: Caller, person_id: str) -> LeadOut:
    lead = _lead(caller.tenant_id, person_id)
    if lead.status != "completed":
        raise Conflict(both("El lead no está cerrado", "The lead is not closed"), code="lead_not_closed")
    lead.status, lead.updated_at = "in_progress", iso()
    store.place_in_queue(lead)
    event = build(caller.tenant_id, LEAD_STATUS_CHANGED, caller=caller, entity_type="lead", entity_id=lead.person_id,
                  data={"person_id": lead.person_id, "from_status": "completed", "to_status": "in_progress"})
    _state(lead, [event], status="in_progress")
    return to_out(lead, flow_settings.load(caller.tenant_id)["display_fields"])


def release(caller: Caller, person_id: str) -> LeadOut:
    lead = _lead(caller.tenant_id, person_id)
    if lead.reserved_by_id:
        previous = lead.reserved_by_id
        lead.reserved_by_id, lead.reserved_by_name, lead.updated_at = None, None, iso()
        event = build(caller.tenant_id, LEAD_RELEASED, caller=caller, entity_type="lead", entity_id=lead.person_id,
                      data={"person_id": lead.person_id, "previous_holder_id": previous})
        _state(lead, [event], holder=None)
    return to_out(lead, flow_settings.load(caller.tenant_id)["display_fields"])


def reassign(caller: Caller, person_id: str, user_id: str) -> LeadOut:
    from skailan.tenancy.member_reads import find_member

    lead = _lead(caller.tenant_id, person_id)
    member = find_member(caller.tenant_id, user_id)
    if member is None or member.status != "active":
        raise Unprocessable(both("Usuario desconocido", "Unknown user"), code="unknown_user",
                            details=[{"field": "user_id", "error": "unknown_user"}])
    previous = lead.reserved_by_id
    lead.reserved_by_id, lead.reserved_by_name, lead.updated_at = user_id, member.name or member.email, iso()
    event = build(caller.tenant_id, LEAD_REASSIGNED, caller=caller, entity_type="lead", entity_id=lead.person_id,
                  data={"person_id": lead.person_id, "holder_id": user_id, "holder_name": lead.reserved_by_name,
                        "previous_holder_id": previous})
    _state(lead, [event], holder=(user_id, lead.reserved_by_name))
    return to_out(lead, flow_settings.load(caller.tenant_id)["display_fields"])


def _state(lead: store.LeadItem, events: list[DomainEvent], **change: Any) -> None:
    try:
        store.update_lead_state(lead, events, **change)
    except store.Busy:
        raise Conflict(both("El lead cambió; vuelve a intentarlo", "The lead changed; try again"),
                       code="concurrent_update") from None
