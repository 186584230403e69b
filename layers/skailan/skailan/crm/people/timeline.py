"""A person's timeline: notes, journey changes, merges, list changes — and whatever other
contexts (messages, deals, tasks, campaigns) append through `append_timeline`.

Entries live in the person's partition under `TL#<occurred_at>#<entry id>`: reading a page is
one Query, newest first; a merge copies them to the kept person. Writers inside the CRM add
`timeline_item(...)` to the same transaction as the change it records.
"""

from __future__ import annotations

from typing import Any

from skailan.crm.people.models import TimelineEntryOut
from skailan.crm.store.items import PersonItem, TimelineItem
from skailan.crm.store.person_reads import find_person
from skailan.crm.store.timeline_items import entries_page, timeline_item, write_entry
from skailan.crm.values.types import Page
from skailan.platform.auth import Caller
from skailan.platform.errors import NotFound
from skailan.platform.i18n import both


def append_timeline(tenant_id: str, person_id: str, kind: str, summary: str, ref: dict[str, Any] | None = None,
                    occurred_at: str | None = None, *, body: str | None = None,
                    author: dict[str, Any] | None = None, entry_id: str | None = None) -> TimelineEntryOut:
    """Add an entry to a person's timeline (for any context: messages, deals, tasks…).

    `ref` points at the source (`{"type": "deal", "id": "…"}`); `occurred_at` is when it
    happened (ISO-8601 UTC), so late arrivals land in place. Passing the source's own id as
    `entry_id` makes a redelivered event rewrite the same entry instead of adding another.
    """
    item = timeline_item(tenant_id, person_id, kind, summary, ref=ref, occurred_at=occurred_at, body=body,
                         author=author, entry_id=entry_id)
    write_entry(item)
    return _out(item)


def _out(item: TimelineItem) -> TimelineEntryOut:
    return TimelineEntryOut(id=item.entry_id, kind=item.entry_kind, summary=item.summary, body=item.body,
                            ref=item.ref or {}, occurred_at=item.occurred_at, author=item.author)


def _require_person(tenant_id: str, person_id: str) -> PersonItem:
    person = find_person(tenant_id, person_id)
    if person is None or person.deleted_at:
        raise NotFound(both("Persona no encontrada", "Person not found"), code="contact_not_found")
    return person


def list_timeline(tenant_id: str, person_id: str, *, cursor: str | None, limit: int | None,
                  kind: str | None = None) -> Page[TimelineEntryOut]:
    _require_person(tenant_id, person_id)
    found = entries_page(tenant_id, person_id, kind=kind, cursor=cursor, limit=limit)
    return Page[TimelineEntryOut](items=[_out(i) for i in found.items], next_cursor=found.next_cursor)


def add_note(caller: Caller, person_id: str, body: str) -> TimelineEntryOut:
    """The note and its `contact.note_added` in one transaction."""
    from skailan.crm.events import build

    _require_person(caller.tenant_id, person_id)
    summary = " ".join(body.split())[:140]
    author = {"kind": caller.kind, "id": caller.principal_id, "name": caller.name, "email": caller.email}
    item = timeline_item(caller.tenant_id, person_id, "note", summary, ref={"type": "note"}, body=body, author=author)
    write_entry(item, events=[build(caller.tenant_id, "contact.note_added", caller=caller, entity_type="contact",
                                    entity_id=person_id, data={"note_id": item.entry_id})])
    return _out(item)


CHANNEL_NAMES = {"whatsapp": "WhatsApp", "telegram": "Telegram", "messenger": "Messenger", "instagram": "Instagram",
                 "email": "correo", "sms": "SMS", "webchat": "chat web"}


def record_conversation(tenant_id: str, person_id: str, event_id: str, conversation_id: str, channel: str,
                        occurred_at: str, *, reopened: bool) -> str | None:
    """A conversation started (or came back) with the person: one timeline entry per conversation
    opening, not per message. Keyed by the event's stable id, so a redelivery rewrites the same
    entry; follows a merge to the kept person. Returns the person it was written to."""
    person = find_person(tenant_id, person_id)
    if person is not None and person.merged_into:
        person = find_person(tenant_id, person.merged_into)
    if person is None or person.deleted_at or person.merged_into:
        return None
    name = CHANNEL_NAMES.get(channel, channel)
    summary = f"Conversación reabierta por {name}" if reopened else f"Conversación por {name}"
    append_timeline(tenant_id, person.person_id, "conversation", summary,
                    ref={"type": "conversation", "id": conversation_id, "channel": channel,
                         "reopened": reopened}, occurred_at=occurred_at, entry_id=event_id)
    return person.person_id
