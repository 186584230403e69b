"""Internal notes and read markers' data access (inbox table; `conversations/inbox/actions.py` decides)."""

from __future__ import annotations

from typing import Any

from skailan.conversations.inbox_events import add_to
from skailan.conversations.store import history, ops, state
from skailan.conversations.store.inbox_items import NoteItem, ReadMarkerItem, notes_pk, read_markers_pk
from skailan.conversations.store.items import ConversationItem
from skailan.platform.events import DomainEvent
from skailan.platform.storage import query_page, transaction


def add_note(tenant_id: str, conversation_id: str, note_id: str, event: DomainEvent, *, record_history: bool,
             **values: Any) -> NoteItem:
    """The note, its history entry and its event's outbox item in one transaction."""
    note = NoteItem(notes_pk(tenant_id, conversation_id), note_id, tenant_id=tenant_id,
                    conversation_id=conversation_id, note_id=note_id, **values)
    with transaction() as tx:
        tx.save(note, condition=NoteItem.pk.does_not_exist())
        if record_history:
            tx.save(history.entry_for(event, conversation_id))
        add_to(tx, [event])
    return note


def page_of_notes(tenant_id: str, conversation_id: str, *, cursor: str | None,
                  limit: int | None) -> tuple[list[NoteItem], str | None]:
    return query_page(NoteItem, notes_pk(tenant_id, conversation_id), cursor=cursor, limit=limit)


def mark_read(tenant_id: str, user_id: str, conversation_id: str, event: DomainEvent, *, read_at: str | None,
              at: str, clear_unread: bool) -> None:
    """When the user read the conversation (None: marked unread on purpose), with `clear_unread`
    the conversation's own unread count back to 0 (its holder read it), and the event's history
    entry and outbox item: one transaction."""
    with transaction() as tx:
        tx.save(ReadMarkerItem(read_markers_pk(tenant_id, user_id), conversation_id, tenant_id=tenant_id,
                               conversation_id=conversation_id, user_id=user_id, read_at=read_at, updated_at=at))
        if clear_unread:
            tx.update(state.key(tenant_id, conversation_id), actions=[ConversationItem.unread_count.set(0)])
        tx.save(history.entry_for(event, conversation_id))
        add_to(tx, [event])


def read_markers(tenant_id: str, user_id: str, conversation_ids: list[str]) -> dict[str, str | None]:
    """conversation id → when `user_id` last read it (None: never, or marked unread)."""
    pk = read_markers_pk(tenant_id, user_id)
    found = ops.batch_get(ReadMarkerItem, [(pk, cid) for cid in dict.fromkeys(conversation_ids)])
    return {marker.conversation_id: marker.read_at for marker in found}

