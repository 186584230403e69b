"""Timers: "do this at that time" for the scheduled inbox job.

One item per (tenant, kind, ref) — re-scheduling overwrites it, cancelling deletes it — and a
sparse `due` index sharded `DUE#0..3` sorted by due time, so the job reads only what is due
(`due_sk <= now`), never a whole table. The job re-checks the current state of what a timer
is about before acting, so a timer that outlived its reason does nothing.

Kinds: `inactivity` (conversation; auto-close when the customer stays silent), `snooze`
(conversation; wake it up), `unassigned` (conversation; alert when it waits unassigned),
`assign_retry` (conversation; try the queue again), `offline` (agent; return their
conversations to the queue after the grace period), `remind` (notification), `outbound`
(`<conversation>:<message>`; an outbound message still queued/sending long after it was queued
gets its final state — `conversations.outbound.settle_if_stuck`), `email_followup`
(conversation; the scheduled follow-up e-mail, `conversations/inbox/mail.py`), `notify_mail` (user; the
notification e-mail digest, `conversations/inbox/notification_mail.py`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from typing import Any

from pynamodb.exceptions import DeleteError

from skailan.conversations.inbox_events import table
from skailan.conversations.store.inbox_items import DUE_SHARDS, TimerItem
from skailan.platform import outbox
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent
from skailan.platform.storage import find_item

KINDS = ("inactivity", "snooze", "unassigned", "assign_retry", "offline", "remind", "outbound", "email_followup",
         "notify_mail")


def _pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#TIMER"


def _shard(tenant_id: str, kind: str, ref: str) -> str:
    return f"DUE#{zlib.crc32(f'{tenant_id}#{kind}#{ref}'.encode()) % DUE_SHARDS}"


def timer_item(tenant_id: str, kind: str, ref: str, due_at: str, data: dict[str, Any] | None = None) -> TimerItem:
    """The timer item `schedule` writes, for a store that puts it in its own transaction."""
    assert kind in KINDS, kind
    return TimerItem(
        _pk(tenant_id), f"{kind}#{ref}", tenant_id=tenant_id, timer_kind=kind, ref=ref, due_at=due_at,
        data=data or {}, due_pk=_shard(tenant_id, kind, ref), due_sk=f"{due_at}#{tenant_id}#{kind}#{ref}",
        created_at=iso(),
    )


def timer_key(tenant_id: str, kind: str, ref: str) -> TimerItem:
    """The timer's key item (what `cancel` deletes)."""
    return TimerItem(_pk(tenant_id), f"{kind}#{ref}")


def schedule(tenant_id: str, kind: str, ref: str, due_at: str, data: dict[str, Any] | None = None, *,
             events: Sequence[DomainEvent] = ()) -> TimerItem:
    """The timer as written (with `events`, their outbox items in the same transaction)."""
    timer = timer_item(tenant_id, kind, ref, due_at, data)
    outbox.put_with(timer, events, table())
    return timer


def cancel(tenant_id: str, kind: str, ref: str, *, events: Sequence[DomainEvent] = ()) -> None:
    outbox.delete_with(timer_key(tenant_id, kind, ref), events, table())


def get(tenant_id: str, kind: str, ref: str) -> TimerItem | None:
    return find_item(TimerItem, _pk(tenant_id), f"{kind}#{ref}")


def due(now: str | None = None, *, limit: int = 200) -> Iterator[TimerItem]:
    """Timers due at `now` (default: now), oldest first per shard, at most `limit` per shard."""
    now = now or iso()
    for shard in range(DUE_SHARDS):
        yield from TimerItem.due.query(f"DUE#{shard}", TimerItem.due_sk <= f"{now}#~", limit=limit)  # type: ignore[misc]


def complete(timer: TimerItem) -> bool:
    """Delete a timer that was handled, unless it was re-scheduled meanwhile; True if deleted."""
    try:
        timer.delete(condition=TimerItem.due_sk == timer.due_sk)
    except DeleteError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
