"""Timeline entries as items: one built for writers that add it to their own transaction (people,
lists, merges, sales, imports, forms), one written alone, and a page of a person's timeline.
Below `timeline.py` and `people.py`, which both use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from skailan.crm.store import records
from skailan.crm.store.items import TimelineItem, person_pk
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent
from skailan.platform.ids import new_id

TL = "TL#"


def timeline_item(tenant_id: str, person_id: str, kind: str, summary: str, *, ref: dict[str, Any] | None = None,
                  occurred_at: str | None = None, body: str | None = None,
                  author: dict[str, Any] | None = None, entry_id: str | None = None) -> TimelineItem:
    entry_id = entry_id or new_id()
    occurred_at = occurred_at or iso()
    return TimelineItem(person_pk(tenant_id, person_id), f"{TL}{occurred_at}#{entry_id}", tenant_id=tenant_id,
                        person_id=person_id, entry_id=entry_id, entry_kind=kind, summary=summary[:500], body=body,
                        ref=ref or {}, occurred_at=occurred_at, author=author, created_at=iso())


def write_entry(item: TimelineItem, *, events: Sequence[DomainEvent] = ()) -> None:
    """Write one entry alone, with its events in the same transaction (a redelivery with the same
    entry id rewrites it)."""
    records.put(item, events=events)


def entries_page(tenant_id: str, person_id: str, *, kind: str | None, cursor: str | None,
                 limit: int | None) -> records.Found[TimelineItem]:
    """One page of the person's timeline, newest first (only entries of `kind` when given)."""
    return records.page(TimelineItem, person_pk(tenant_id, person_id), TL, cursor=cursor, limit=limit,
                        newest_first=True, filter_condition=(TimelineItem.entry_kind == kind) if kind else None)
