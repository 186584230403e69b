"""A conversation's history: one entry per inbox action (taken, assigned, closed, note…).

Entries are written in the same transaction as the change they describe and its event's outbox
item (`store/mutate.py`, `store/notes.py`; `record_with_event` when the entry is the only change),
keyed `<occurred_at>#<event id>` so the event and its entry share an id and a retried write
rewrites the same entry.
"""

from __future__ import annotations

from skailan.conversations.inbox.action_models import HistoryEntryOut, Page
from skailan.conversations.store.inbox_items import HistoryItem
from skailan.platform.events import DomainEvent
from skailan.platform.storage import query_page


def history_pk(tenant_id: str, conversation_id: str) -> str:
    return f"T#{tenant_id}#C#{conversation_id}#H"


def entry_for(event: DomainEvent, conversation_id: str) -> HistoryItem:
    return HistoryItem(
        history_pk(event.tenant_id, conversation_id), f"{event.occurred_at}#{event.id}",
        tenant_id=event.tenant_id, conversation_id=conversation_id, event_id=event.id, type=event.type,
        occurred_at=event.occurred_at, actor=event.actor.model_dump(), data=event.data, created_at=event.occurred_at,
    )


def record(event: DomainEvent, conversation_id: str) -> None:
    """Write an entry outside a transaction (for an event another context published)."""
    entry_for(event, conversation_id).save()


def record_with_event(event: DomainEvent, conversation_id: str) -> None:
    """An inbox event with no conversation write: its history entry and its outbox item, one transaction."""
    from skailan.conversations.inbox_events import add_to
    from skailan.platform.storage import transaction

    with transaction() as tx:
        tx.save(entry_for(event, conversation_id))
        add_to(tx, [event])


def list_history(tenant_id: str, conversation_id: str, *, cursor: str | None, limit: int | None,
                 newest_first: bool = False) -> Page[HistoryEntryOut]:
    found, next_cursor = query_page(HistoryItem, history_pk(tenant_id, conversation_id), cursor=cursor, limit=limit,
                                    newest_first=newest_first)
    items = [HistoryEntryOut(id=i.event_id, type=i.type, occurred_at=i.occurred_at, actor=i.actor or {},
                             data=i.data or {}) for i in found]
    return Page[HistoryEntryOut](items=items, next_cursor=next_cursor)
