"""What the inbox does with domain events and due timers (the workers and the job call these).

- `on_assignment_event`: new / reopened / released conversations get an agent or wait in the
  queue; an agent who frees capacity, comes online, gets more room or joins a team drains it.
- `on_inbox_event`: per customer message — wake a snoozed conversation, start its waiting time,
  notify its holder, index it for search, let the bots answer; per human reply — first response
  time, stop waiting, arm the inactivity timer; per close — the CSAT question (`csat.py`); per
  rating — its counters; counters for the dashboard.
- `on_inbox_event` also takes the brand's `user.disabled` / `user.deleted` (`skailan.tenancy`): the
  member leaves the auto-assignment pool and their open conversations go back to the queue.
- `run_timers`: snooze ends, inactivity auto-close, unassigned alerts, queue retries, offline
  grace periods, reminders.
Every handler is safe to run twice for the same event (conditional writes, markers, re-checks).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from skailan.conversations.store import mutate as holders
from skailan.conversations.store import state, timers
from skailan.conversations.store.items import ConversationItem
from skailan.conversations.store.mutate import Plan
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.errors import NotFound
from skailan.platform.events import DomainEvent
from skailan.platform.observability import logger

ASSIGNMENT_TYPES = frozenset({
    "conversation.created", "conversation.reopened", "conversation.closed", "conversation.unassigned",
    "conversation.transferred", "conversation.taken", "conversation.assigned", "agent.presence_changed",
    "agent.updated", "team.created", "team.updated",
})
INBOX_TYPES = frozenset({
    "conversation.created", "conversation.reopened", "message.received", "message.queued", "conversation.closed",
    "conversation.first_response", "conversation.rated", "task.reminder", "task.overdue",
})
TENANCY = "skailan.tenancy"
TASK_ALARM_TYPES = frozenset({"task.reminder", "task.overdue"})
MEMBER_GONE_TYPES = frozenset({"user.disabled", "user.deleted"})


# ---------------------------------------------------------------- assignment


def on_assignment_event(event: DomainEvent) -> dict[str, Any]:
    from skailan.conversations.inbox import assignment

    tenant_id, data = event.tenant_id, event.data
    conversation_id = str(data.get("conversation_id") or event.entity_id or "")
    out: dict[str, Any] = {"type": event.type}
    try:
        if event.type in ("conversation.created", "conversation.reopened"):
            if data.get("manual"):
                return out
            out["decision"] = assignment.assign_automatically(tenant_id, conversation_id).__dict__
        elif event.type in ("conversation.unassigned", "conversation.transferred"):
            previous = data.get("previous_assignee")
            if not data.get("assignee"):
                exclude = frozenset({previous}) if previous else frozenset()
                out["decision"] = assignment.assign_automatically(tenant_id, conversation_id, exclude=exclude).__dict__
            if previous:
                out["drained"] = assignment.drain_for_agent(tenant_id, previous)
        elif event.type in ("conversation.closed", "conversation.taken", "conversation.assigned"):
            freed = data.get("assignee") if event.type == "conversation.closed" else data.get("previous_assignee")
            if freed:
                out["drained"] = assignment.drain_for_agent(tenant_id, freed)
        elif event.type == "agent.presence_changed":
            if data.get("status") == "online":
                out["drained"] = assignment.drain_for_agent(tenant_id, event.entity_id or "")
        elif event.type == "agent.updated":
            out["drained"] = assignment.drain_for_agent(tenant_id, event.entity_id or "")
        elif event.type in ("team.created", "team.updated"):
            out["drained"] = sum(assignment.drain_account(tenant_id, a) for a in data.get("channel_accounts") or [])
    except NotFound:
        logger.info("conversation gone", tenant_id=tenant_id, conversation_id=conversation_id, type=event.type)
    return out


# ---------------------------------------------------------------- inbox reactions


def _count(event: DomainEvent, metric: str, **kwargs: Any) -> None:
    from skailan.conversations.inbox import metrics

    if metrics.first_time(event.tenant_id, f"{event.id}:{metric}"):
        metrics.record(event.tenant_id, metric, **kwargs)


def _start_waiting(item: ConversationItem, at: str) -> None:
    def decide(current: ConversationItem) -> Plan | None:
        if current.waiting_since or current.status == "closed":
            return None
        return Plan(changes={"waiting_since": at}, history=False)

    holders.mutate(item.tenant_id, item.conversation_id, decide, item=item)


def _notify_holder(item: ConversationItem, data: dict[str, Any]) -> None:
    from skailan.conversations.inbox import notifications
    from skailan.conversations.store import notifications as notification_store

    user_id = item.assignee
    if not user_id:
        return
    count = 1
    notice = notification_store.message_notice(item.tenant_id, user_id, item.conversation_id)
    previous = (notification_store.find_notification(item.tenant_id, user_id, notice.notification_id)
                if notice is not None else None)
    if notice is not None and previous is not None and previous.read_at is None:
        count = int(notice.messages or 0) + 1
        notification_store.delete_notification(previous)
    name = (item.contact or {}).get("name") or "un cliente"
    text = (f"{count} mensajes nuevos de {name}. / {count} new messages from {name}." if count > 1 else
            f"Nuevo mensaje de {name}: {(data.get('text') or '')[:80]} / New message from {name}.")
    created = notifications.notify(item.tenant_id, user_id, "message", conversation_id=item.conversation_id,
                                   text=text, data={"count": count, "message_id": data.get("message_id")})
    notification_store.put_message_notice(item.tenant_id, user_id, item.conversation_id, created.id, count)


def _human_reply(item: ConversationItem, event: DomainEvent) -> None:
    from skailan.conversations.inbox.actions import conversation_event

    at = event.occurred_at

    def decide(current: ConversationItem) -> Plan | None:
        changes: dict[str, Any] = {}
        events = []
        if current.waiting_since:
            changes["waiting_since"] = None
        if not current.first_response_at and current.status != "closed":
            opened = current.reopened_at or current.opened_at or current.created_at
            ms = max(0, int((parse_iso(at) - parse_iso(opened)).total_seconds() * 1000)) if opened else None
            changes["first_response_at"] = at
            events.append(conversation_event(current, "conversation.first_response", None,
                                             {"first_response_ms": ms, "agent": event.actor.id,
                                              "message_id": event.data.get("message_id")},
                                             actor_name="metrics"))
        if not changes:
            return None
        return Plan(changes=changes, events=events)

    holders.mutate(item.tenant_id, item.conversation_id, decide, item=item)


def _arm_inactivity(item: ConversationItem, at: str, config: Any) -> None:
    settings = config.bots.inactivity
    if settings.enabled and item.status != "closed":
        due = iso(parse_iso(at) + timedelta(minutes=settings.minutes))
        timers.schedule(item.tenant_id, "inactivity", item.conversation_id, due, {"after": at})


def on_inbox_event(event: DomainEvent) -> dict[str, Any]:
    from skailan.conversations.inbox import actions, bots
    from skailan.conversations.inbox.config import get_config
    from skailan.conversations.store import search_index as search

    tenant_id, data = event.tenant_id, event.data
    conversation_id = data.get("conversation_id") or event.entity_id or ""
    out: dict[str, Any] = {"type": event.type}
    if event.type in TASK_ALARM_TYPES:  # from the CRM's task alarms: into the people's feeds
        from skailan.conversations.inbox import notifications

        out.update(notifications.on_task_alarm(event))
        return out
    if event.source == TENANCY:
        if event.type in MEMBER_GONE_TYPES and event.entity_id:
            from skailan.conversations.inbox import assignment

            out.update(assignment.release_member(tenant_id, event.entity_id, event.type))
        return out
    if event.type == "conversation.first_response":
        _count(event, "first_response_ms", at=event.occurred_at, value=data.get("first_response_ms"),
               dimensions={"agent": data.get("agent"), "channel": data.get("channel")})
        return out
    if event.type == "conversation.closed":
        from skailan.conversations.inbox import csat
        from skailan.conversations.inbox.config import get_config

        dims = {"agent": data.get("assignee"), "channel": data.get("channel"), "reason": data.get("reason_id")}
        _count(event, "conversations_closed", at=event.occurred_at, dimensions=dims)
        if data.get("resolution_ms") is not None:
            _count(event, "resolution_ms", at=event.occurred_at, value=data["resolution_ms"], dimensions=dims)
        out.update(csat.on_conversation_closed(event, get_config(tenant_id)))
        return out
    if event.type == "conversation.rated":
        from skailan.conversations.inbox import csat

        out.update(csat.on_rated(event))
        return out
    try:
        item = state.load(tenant_id, conversation_id)
    except NotFound:
        return out
    config = get_config(tenant_id)
    if event.type in ("conversation.created", "conversation.reopened"):
        if event.source == "skailan.conversations" and not data.get("manual"):
            search.index_contact(tenant_id, conversation_id, item.contact or {})
        if event.type == "conversation.created":
            _count(event, "conversations_created", at=event.occurred_at, dimensions={"channel": item.channel})
            if item.channel == "email" and _automatic_email(tenant_id, item, data):
                out["greeting"] = None  # RFC 3834: no greeting for automatic / bulk mail
            else:
                out["greeting"] = bots.on_conversation_created(tenant_id, conversation_id, config,
                                                               written_at=item.last_customer_message_at)
        elif not data.get("manual"):
            # Re-opened by the customer: a new cycle for the first-response clock.
            holders.mutate(tenant_id, conversation_id, lambda current: Plan(
                changes={"first_response_at": None, "close_reason_id": None, "closed_by": None,
                         "last_assignee": None}, history=False) if current.status != "closed" else None)
        return out
    if event.type == "message.received":
        if item.snoozed_until:
            actions.wake(tenant_id, conversation_id, reason="customer_message")
            item = state.load(tenant_id, conversation_id)
        _start_waiting(item, event.occurred_at)
        _notify_holder(item, data)
        search.index_text(tenant_id, conversation_id, data.get("text"))
        if item.channel == "email":  # the e-mail module: follow-ups cancelled, the mailbox's auto-response
            from skailan.conversations.inbox import mail

            out["follow_up_cancelled"] = mail.on_customer_message(tenant_id, conversation_id)
            out["subject_keys"] = mail.index_subject(tenant_id, conversation_id, data)
            from skailan.conversations.inbox import mail_folders

            out["filed"] = mail_folders.on_message(tenant_id, conversation_id, inbound=True)
            out["autoresponse"] = mail.on_email_received(tenant_id, conversation_id, data)
            # One automatic answer per e-mail, and never to automatic / bulk mail (RFC 3834): the
            # bots stay quiet when the mailbox answered or the mail must not be answered.
            if out["autoresponse"] == "sent" or mail.loop_refusal(tenant_id, item, data):
                out["bot"] = {"action": "none", "reason": "email_auto_reply_rules"}
                return out
        out["bot"] = bots.on_customer_message(state.load(tenant_id, conversation_id), data.get("text"), config,
                                              written_at=event.occurred_at)
        return out
    if event.type == "message.queued":
        _watch_outbound(tenant_id, conversation_id, data.get("message_id"), event.occurred_at)
        kind = event.actor.kind
        if item.channel == "email":  # a conversation the business started is filed under "sent"
            from skailan.conversations.inbox import mail_folders

            out["filed"] = mail_folders.on_message(tenant_id, conversation_id, inbound=False)
        if kind == "user":
            _human_reply(item, event)
        if kind in ("user", "bot", "api_key"):
            _arm_inactivity(item, event.occurred_at, config)
        return out
    return out


def _automatic_email(tenant_id: str, item: Any, data: dict[str, Any]) -> bool:
    from skailan.conversations.inbox import mail

    return bool(data.get("message_id")) and mail.loop_refusal(tenant_id, item, data) is not None


# ---------------------------------------------------------------- timers


def _supervisors(tenant_id: str) -> list[str]:
    from skailan.platform.auth import grants
    from skailan.tenancy import members
    from skailan.tenancy.roles import role_permissions

    out: list[str] = []
    cursor = None
    while True:
        page = members.list_members(tenant_id, cursor=cursor, limit=100)
        out += [u.id for u in page.items
                if u.status == "active" and grants(role_permissions(tenant_id, u.role), "conversations:manage")]
        cursor = page.next_cursor
        if not cursor:
            return out


def _unassigned_alert(tenant_id: str, conversation_id: str, queued_at: str | None) -> bool:
    from skailan.conversations.inbox import notifications
    from skailan.conversations.inbox.actions import record_conversation_event

    item = state.load(tenant_id, conversation_id)
    if item.status == "closed" or item.assignee or not item.queued_at or (queued_at and item.queued_at != queued_at):
        return False
    minutes = int((utcnow() - parse_iso(item.queued_at)).total_seconds() // 60)
    record_conversation_event(item, "conversation.unassigned_alert",
                              {"waiting_minutes": minutes, "queued_at": item.queued_at}, actor_name="alerts")
    name = (item.contact or {}).get("name") or "un cliente"
    for user_id in _supervisors(tenant_id):
        notifications.notify(tenant_id, user_id, "unassigned_alert", conversation_id=conversation_id,
                             text=f"La conversación de {name} espera sin asignar hace {minutes} min. / "
                                  f"A conversation has waited unassigned for {minutes} min.",
                             data={"waiting_minutes": minutes})
    return True


def _watch_outbound(tenant_id: str, conversation_id: str, message_id: str | None, queued_at: str,
                    *, minutes: int | None = None) -> None:
    """An outbound message never stays queued/sending: look at it once every retry is over."""
    from skailan.conversations.outbound import STUCK_AFTER_MINUTES

    if message_id:
        due = iso(parse_iso(queued_at) + timedelta(minutes=minutes or STUCK_AFTER_MINUTES))
        timers.schedule(tenant_id, "outbound", f"{conversation_id}:{message_id}", due)


def run_timer(timer: Any, now: str) -> str:
    from skailan.conversations.inbox import actions, assignment, bots, notifications
    from skailan.conversations.inbox.config import get_config

    tenant_id, ref, data = timer.tenant_id, timer.ref, dict(timer.data or {})
    kind = timer.timer_kind
    try:
        if kind == "snooze":
            return "woke" if actions.wake(tenant_id, ref, reason="snooze_ended",
                                          expected_until=data.get("until")) else "noop"
        if kind == "inactivity":
            return "closed" if bots.close_inactive(tenant_id, ref, get_config(tenant_id), parse_iso(now)) else "noop"
        if kind == "unassigned":
            return "alerted" if _unassigned_alert(tenant_id, ref, data.get("queued_at")) else "noop"
        if kind == "assign_retry":
            attempt = int(data.get("attempt", 1))
            decision = assignment.assign_automatically(tenant_id, ref, retry_attempt=attempt + 1)
            if decision.reason in ("already assigned", "closed"):
                return "noop"
            return "assigned" if decision.assignee else "waiting"
        if kind == "offline":
            return f"returned:{assignment.return_to_queue(tenant_id, ref, offline_since=data.get('offline_since'))}"
        if kind == "outbound":
            from skailan.conversations.outbound import settle_if_stuck

            conversation_id, _, message_id = ref.partition(":")
            outcome = settle_if_stuck(tenant_id, conversation_id, message_id, parse_iso(now))
            if outcome == "waiting":  # completing this timer, schedule the next look
                _watch_outbound(tenant_id, conversation_id, message_id, now, minutes=5)
            return outcome
        if kind == "email_followup":
            from skailan.conversations.inbox import mail

            return mail.fire_follow_up(tenant_id, ref, data)
        if kind == "notify_mail":
            from skailan.conversations.inbox import notification_mail

            return notification_mail.run_timer(tenant_id, data)
        if kind == "remind":
            fired = notifications.fire_reminder(tenant_id, data.get("user_id", ""), data.get("notification_id", ""))
            return "reminded" if fired else "noop"
    except NotFound:
        return "gone"
    return "unknown"


def run_timers(now: str | None = None, *, limit: int = 200) -> dict[str, int]:
    """Handle every timer due at `now`; a failing one stays for the next run."""
    now = now or iso()
    outcomes: dict[str, int] = {}
    for timer in list(timers.due(now, limit=limit)):
        try:
            outcome = run_timer(timer, now)
        except Exception:  # one broken timer must not block the others; it is retried next run
            logger.exception("timer failed", tenant_id=timer.tenant_id, kind=timer.timer_kind, ref=timer.ref)
            outcomes["failed"] = outcomes.get("failed", 0) + 1
            continue
        timers.complete(timer)
        key = f"{timer.timer_kind}:{outcome.split(':')[0]}"
        outcomes[key] = outcomes.get(key, 0) + 1
    return outcomes
