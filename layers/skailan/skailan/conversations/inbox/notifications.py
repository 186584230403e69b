"""Per-user notification feed: new message in my conversation, assigned to me, mentioned,
waiting-unassigned alerts, and reminders ("remind me in 15 min / 1 h").

Items live 30 days (TTL). A reminder is a timer: when due, the job puts a fresh `reminder`
notification at the top of the feed and clears `remind_at` on the original.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from skailan.conversations.inbox.models import NotificationOut, Page
from skailan.conversations.inbox_events import build
from skailan.conversations.store import notifications as store
from skailan.conversations.store import timers
from skailan.conversations.store.inbox_items import NotificationItem
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, utcnow
from skailan.platform.errors import NotFound
from skailan.platform.ids import new_id
from skailan.platform.storage import ConditionFailed

TTL_DAYS = 30
REMIND = {"15m": timedelta(minutes=15), "1h": timedelta(hours=1)}


def _out(item: NotificationItem) -> NotificationOut:
    return NotificationOut(id=item.notification_id, type=item.type, conversation_id=item.conversation_id,
                           text=item.text, created_at=item.created_at, read_at=item.read_at,
                           remind_at=item.remind_at, data=item.data or {})


def notify(tenant_id: str, user_id: str, type_: str, *, conversation_id: str | None, text: str,
           data: dict[str, Any] | None = None, publish_event: bool = True,
           notification_id: str | None = None) -> NotificationOut:
    """Put a notification at the top of the user's feed. A given `notification_id` (derived
    from the event that caused it) makes a redelivery a no-op instead of a second notice."""
    fixed = notification_id is not None
    notification_id = notification_id or new_id()
    now = utcnow()
    events = [build(tenant_id, "notification.created", entity_type="notification", entity_id=notification_id,
                    data={"user_id": user_id, "type": type_, "conversation_id": conversation_id})
              ] if publish_event else []
    try:
        item = store.put_notification(tenant_id, user_id, notification_id, only_new=fixed, type=type_,
                                      conversation_id=conversation_id, text=text, data=data or {},
                                      created_at=iso(now), ttl=now + timedelta(days=TTL_DAYS), events=events)
    except ConditionFailed:
        existing = store.find_notification(tenant_id, user_id, notification_id)
        if existing is None:  # refused as existing, then gone: expired (TTL) in between
            raise
        return _out(existing)
    from skailan.conversations.inbox import notification_mail

    notification_mail.queue(tenant_id, user_id, type_, [notification_id])  # only if the user opted in
    return _out(item)


def list_feed(caller: Caller, *, cursor: str | None, limit: int | None, unread_only: bool = False) -> Page[NotificationOut]:
    found, next_cursor = store.page_of_feed(caller.tenant_id, caller.principal_id, cursor=cursor, limit=limit,
                                            unread_only=unread_only)
    return Page[NotificationOut](items=[_out(i) for i in found], next_cursor=next_cursor)


def _load(caller: Caller, notification_id: str) -> NotificationItem:
    item = store.find_notification(caller.tenant_id, caller.principal_id, notification_id)
    if item is None:
        raise NotFound("Notificación no encontrada. / Notification not found.", code="notification_not_found")
    return item


def mark_read(caller: Caller, notification_id: str) -> NotificationOut:
    item = _load(caller, notification_id)
    store.mark_read(item)
    return _out(item)


def remind(caller: Caller, notification_id: str, in_: str) -> NotificationOut:
    item = _load(caller, notification_id)
    at = iso(utcnow() + REMIND[in_])
    store.mark_read(item, remind_at=at)
    timers.schedule(caller.tenant_id, "remind", f"{caller.principal_id}:{notification_id}", at,
                    {"user_id": caller.principal_id, "notification_id": notification_id})
    return _out(item)


def fire_reminder(tenant_id: str, user_id: str, notification_id: str) -> NotificationOut | None:
    original = store.find_notification(tenant_id, user_id, notification_id)
    if original is None or not original.remind_at:
        return None
    store.clear_reminder(original)
    return notify(tenant_id, user_id, "reminder", conversation_id=original.conversation_id,
                  text=f"Recordatorio: {original.text}", data={**(original.data or {}), "original_id": notification_id,
                                                               "original_type": original.type})


def _event_notification_id(occurred_at: str, key: str) -> str:
    """A ULID at the event's time whose randomness is the key's hash: sorts like any other
    notification, and the same event always gives the same id."""
    import hashlib

    from skailan.platform.clock import parse_iso
    from skailan.platform.ids import ulid

    millis = int(parse_iso(occurred_at).timestamp() * 1000)
    return ulid(millis, hashlib.blake2b(key.encode(), digest_size=10).digest())


def on_task_alarm(event: Any) -> dict[str, Any]:
    """`task.reminder` → the assignee's feed; `task.overdue` → the brand's supervisors' feeds
    (the CRM's alarm job picks the recipients). Once per recipient, whatever the redeliveries."""
    data = event.data or {}
    title = str(data.get("title") or "")[:120]
    due = data.get("due_at")
    if event.type == "task.reminder":
        type_ = "task_reminder"
        text = (f"Recordatorio de tarea: {title}" + (f" (vence {due})" if due else "") + ". / "
                f"Task reminder: {title}" + (f" (due {due})" if due else "") + ".")
    else:
        type_ = "task_overdue"
        text = f"Tarea vencida: {title} (vencía {due}). / Overdue task: {title} (was due {due})."
    key = str(data.get("dedupe_key") or event.id)
    sent = 0
    for user_id in [r for r in data.get("recipients") or [] if r]:
        notify(event.tenant_id, str(user_id), type_, conversation_id=None, text=text,
               data={k: data.get(k) for k in ("task_id", "due_at", "remind_at", "assignee_id", "person_id", "deal_id",
                                              "type_id") if data.get(k) is not None},
               notification_id=_event_notification_id(event.occurred_at, f"{key}:{user_id}"))
        sent += 1
    return {"notified": sent}
