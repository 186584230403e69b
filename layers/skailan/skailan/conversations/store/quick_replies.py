"""Quick replies' data access (inbox table)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from skailan.conversations.inbox_events import table
from skailan.conversations.store import ops
from skailan.conversations.store.inbox_items import (
    QUICK_REPLY_PREFIX,
    QuickReplyItem,
    quick_replies_pk,
    quick_reply_sk,
)
from skailan.platform import outbox
from skailan.platform.events import DomainEvent
from skailan.platform.storage import conditional, query_page


def find_reply(tenant_id: str, reply_id: str) -> QuickReplyItem | None:
    return ops.get(QuickReplyItem, quick_replies_pk(tenant_id), quick_reply_sk(reply_id))


def page_of_replies(tenant_id: str, *, cursor: str | None, limit: int | None,
                    q: str | None = None) -> tuple[list[QuickReplyItem], str | None]:
    """One page of the brand's quick replies (those whose shortcut or title contain `q`) and the next cursor."""
    condition = None
    if q:
        condition = QuickReplyItem.shortcut.contains(q.strip().lower()) | QuickReplyItem.title.contains(q.strip())
    return query_page(QuickReplyItem, quick_replies_pk(tenant_id), QUICK_REPLY_PREFIX, cursor=cursor, limit=limit,
                      filter_condition=condition)


def new_reply(tenant_id: str, reply_id: str, **values: Any) -> QuickReplyItem:
    return QuickReplyItem(quick_replies_pk(tenant_id), quick_reply_sk(reply_id), tenant_id=tenant_id,
                          reply_id=reply_id, **values)


def insert_reply(item: QuickReplyItem, *, events: Sequence[DomainEvent] = ()) -> None:
    ops.insert(item, events=events)


def replace_reply(item: QuickReplyItem, *, events: Sequence[DomainEvent] = ()) -> None:
    """Only while it exists (`ConditionFailed`: deleted meanwhile), with its events."""
    with conditional():
        outbox.put_with(item, events, table(), condition=QuickReplyItem.pk.exists())


def delete_reply(item: QuickReplyItem, *, events: Sequence[DomainEvent] = ()) -> None:
    ops.delete(item, events=events)
