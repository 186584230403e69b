"""Notifications' data access (inbox table): each user's feed, their e-mail preferences and
pending digest, and the per-conversation "n new messages" notice (`conversations/inbox/notifications.py`,
`conversations/inbox/notification_mail.py`, `conversations/inbox/workers.py` decide)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from skailan.conversations.inbox_events import table
from skailan.conversations.store import ops
from skailan.conversations.store.inbox_items import (
    DIGEST_SK,
    PREFS_SK,
    MessageNoticeItem,
    NotificationItem,
    NotificationMailItem,
    NotificationPrefsItem,
    digest_pk,
    feed_pk,
    message_notice_pk,
    prefs_pk,
)
from skailan.platform import outbox
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent
from skailan.platform.storage import Action, ConditionFailed, conditional, query_page

# ---------------------------------------------------------------- the feed


def put_notification(tenant_id: str, user_id: str, notification_id: str, *, only_new: bool,
                     events: Sequence[DomainEvent] = (), **values: Any) -> NotificationItem:
    """Write a notification and its events (with `only_new`, `ConditionFailed` when that id is
    already there: nothing written)."""
    item = NotificationItem(feed_pk(tenant_id, user_id), notification_id, tenant_id=tenant_id,
                            notification_id=notification_id, user_id=user_id, **values)
    with conditional():
        outbox.put_with(item, events, table(), condition=NotificationItem.pk.does_not_exist() if only_new else None)
    return item


def find_notification(tenant_id: str, user_id: str, notification_id: str) -> NotificationItem | None:
    return ops.get(NotificationItem, feed_pk(tenant_id, user_id), notification_id)


def notifications_by_id(tenant_id: str, user_id: str, notification_ids: list[str]) -> dict[str, NotificationItem]:
    found = ops.batch_get(NotificationItem, [(feed_pk(tenant_id, user_id), i) for i in notification_ids])
    return {n.notification_id: n for n in found}


def page_of_feed(tenant_id: str, user_id: str, *, cursor: str | None, limit: int | None,
                 unread_only: bool) -> tuple[list[NotificationItem], str | None]:
    """One page of the user's feed, newest first, and the next cursor."""
    condition = NotificationItem.read_at.does_not_exist() if unread_only else None
    return query_page(NotificationItem, feed_pk(tenant_id, user_id), cursor=cursor, limit=limit, newest_first=True,
                      filter_condition=condition)


def mark_read(item: NotificationItem, *, remind_at: str | None = None) -> None:
    """Read now (and, with `remind_at`, remind then); the item reads back what was written."""
    actions: list[Action] = [NotificationItem.read_at.set(iso())]
    if remind_at is not None:
        actions.insert(0, NotificationItem.remind_at.set(remind_at))
    item.update(actions=actions)


def clear_reminder(item: NotificationItem) -> None:
    item.update(actions=[NotificationItem.remind_at.remove()])


def delete_notification(item: NotificationItem) -> None:
    ops.delete(item)


# ---------------------------------------------------------------- e-mail preferences and digest


def email_preferences(tenant_id: str, user_id: str) -> NotificationPrefsItem | None:
    return ops.get(NotificationPrefsItem, prefs_pk(tenant_id, user_id), PREFS_SK)


def put_email_preferences(tenant_id: str, user_id: str, kinds: set[str], *, at: str) -> None:
    # An empty set cannot be stored in DynamoDB: the attribute is left out (pynamodb drops it).
    NotificationPrefsItem(prefs_pk(tenant_id, user_id), PREFS_SK, tenant_id=tenant_id, user_id=user_id,
                          email_kinds=kinds, updated_at=at).save()


def add_to_digest(tenant_id: str, user_id: str, notification_ids: list[str], *, now: datetime, due_at: str,
                  max_ids: int) -> NotificationMailItem:
    """Count the notifications into the user's pending digest (created on the first add, due at
    `due_at`), listing their ids while it holds fewer than `max_ids` (one UpdateItem; a second,
    count-only one past that). Returns the digest as written."""
    D = NotificationMailItem
    key = D(digest_pk(tenant_id, user_id), DIGEST_SK)
    base: list[Action] = [D.kind.set(D), D.tenant_id.set(tenant_id), D.user_id.set(user_id),
                          D.added.add(len(notification_ids)), D.due_at.set(D.due_at | due_at),
                          D.created_at.set(D.created_at | iso(now))]
    append = D.notification_ids.set((D.notification_ids | []).append(notification_ids))
    try:
        with conditional():
            key.update(actions=[*base, append], condition=D.added.does_not_exist() | (D.added < max_ids))
    except ConditionFailed:
        key.update(actions=base)  # a long burst: the rest is counted, the e-mail says "and N more"
    return key


def take_digest(tenant_id: str, user_id: str) -> NotificationMailItem | None:
    """Read and delete the digest at the version read (`ConditionFailed` when a notification
    joined meanwhile: read again); None when there is none."""
    item = ops.get(NotificationMailItem, digest_pk(tenant_id, user_id), DIGEST_SK, consistent=True)
    if item is None:
        return None
    with conditional():
        item.delete(condition=NotificationMailItem.added == item.added)
    return item


# ---------------------------------------------------------------- "n new messages" notices


def message_notice(tenant_id: str, user_id: str, conversation_id: str) -> MessageNoticeItem | None:
    return ops.get(MessageNoticeItem, message_notice_pk(tenant_id, user_id), conversation_id)


def put_message_notice(tenant_id: str, user_id: str, conversation_id: str, notification_id: str, messages: int) -> None:
    MessageNoticeItem(message_notice_pk(tenant_id, user_id), conversation_id, tenant_id=tenant_id,
                      conversation_id=conversation_id, notification_id=notification_id, messages=messages,
                      updated_at=iso()).save()
