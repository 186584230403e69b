"""Bots: greeting on the first message, out-of-hours reply, FAQ answers, handoff to a person,
inactivity auto-close. Replies go out through the channels' outbound path (queued like an
agent's reply, author `bot`), and the conversation records that a bot handled it.

Matching is accent- and case-insensitive (`crm.text.fold`): a keyword (or phrase) matches where a
word of the folded text starts with it ("envio" matches "ENVÍOS"), patterns are regular
expressions over the folded text.
Markers in the inbox table (`BotStateItem`) make the greeting exactly-once and the out-of-hours
reply once per closed period, even when an event is delivered twice.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from skailan.conversations.domain import hours
from skailan.conversations.inbox.models import FaqRule, InboxSettings
from skailan.conversations.store import config as config_store
from skailan.conversations.store import mutate as holders
from skailan.conversations.store import state
from skailan.conversations.store.items import ConversationItem
from skailan.conversations.store.mutate import Plan
from skailan.crm.values.text import fold
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.observability import logger

OUT_OF_HOURS_REPEAT = timedelta(hours=12)
# Bots answer what a customer wrote recently, not a backlog replayed after an outage (nor, on
# WhatsApp, a message whose 24-hour window is already gone).
MAX_MESSAGE_AGE = timedelta(hours=1)
BOT_ID = "bot"


def fresh(written_at: str | None, now: datetime | None = None) -> bool:
    return bool(written_at) and parse_iso(written_at or "") >= (now or utcnow()) - MAX_MESSAGE_AGE


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[0-9a-z]+", fold(text))) + " "


def contains_phrase(text: str, phrase: str) -> bool:
    """The phrase starts a word of the text ("envio" matches "ENVÍOS", "agent" matches "agente")."""
    wanted = " ".join(re.findall(r"[0-9a-z]+", fold(phrase)))
    return bool(wanted) and f" {wanted}" in _words(text)


def wants_human(text: str | None, keywords: list[str]) -> bool:
    return bool(text) and any(contains_phrase(text or "", k) for k in keywords)


def faq_answer(text: str | None, rules: list[FaqRule]) -> FaqRule | None:
    if not text:
        return None
    folded = fold(text)
    for rule in rules:
        if any(contains_phrase(text, k) for k in rule.keywords):
            return rule
        if rule.pattern and re.search(fold(rule.pattern), folded):
            return rule
    return None


def attending(tenant_id: str, at: datetime | None = None) -> bool:
    from skailan.platform.batch_reads import shared
    from skailan.tenancy import brands

    # Once per SQS batch: every customer message of the batch asks the same brand's hours.
    brand = shared((tenant_id, "brand"), lambda: brands.get_brand(tenant_id))
    return hours.is_open(brand.business_hours, brand.time_zone, at or utcnow())


def bot_caller(tenant_id: str) -> Caller:
    return Caller(tenant_id=tenant_id, principal_id=BOT_ID, kind="bot", name="Bot")  # type: ignore[arg-type]


def human_holds(item: ConversationItem, since: str | None = None) -> bool:
    """A person holds the conversation (an agent is assigned) or — given `since`, the time of the
    customer message the bot would answer — the business already wrote after it (an agent who
    answered without taking it; the reply may not be counted anywhere else yet)."""
    if item.assignee is not None:
        return True
    if not since or not item.last_agent_message_at:
        return False
    return parse_iso(item.last_agent_message_at) > parse_iso(since)  # times, not strings: precisions differ


def send(tenant_id: str, conversation_id: str, text: str, *, purpose: str,
         unless_human: bool = False, since: str | None = None) -> str | None:
    """Queue a bot reply through the outbound path; returns the message id.

    `unless_human`: the decision was made from the event's (possibly stale) view, so the
    conversation is read again (consistent read) right before queueing and nothing goes out once
    a person holds it — an agent who took and answered it is not followed by the bot."""
    from skailan.conversations import outbound
    from skailan.conversations.models import MessageIn

    if not text.strip():
        return None
    if unless_human:
        current = state.load(tenant_id, conversation_id, consistent=True)
        if current.status == "closed" or human_holds(current, since):
            logger.info("bot reply skipped: a person holds the conversation", tenant_id=tenant_id,
                        conversation_id=conversation_id, purpose=purpose)
            return None
    message = outbound.queue_message(bot_caller(tenant_id), conversation_id, MessageIn(text=text))
    mark_handled(tenant_id, conversation_id, purpose=purpose, message_id=message.id)
    logger.info("bot replied", tenant_id=tenant_id, conversation_id=conversation_id, purpose=purpose)
    return message.id


def mark_handled(tenant_id: str, conversation_id: str, *, purpose: str, message_id: str | None = None) -> None:
    from skailan.conversations.inbox.actions import conversation_event

    def decide(item: ConversationItem) -> Plan | None:
        return Plan(changes={"bot_handled": True},
                    events=[conversation_event(item, "conversation.bot_replied", None,
                                               {"purpose": purpose, "message_id": message_id}, actor_name=BOT_ID)])

    holders.mutate(tenant_id, conversation_id, decide)


def _claim(tenant_id: str, conversation_id: str, attr: str, allowed: Any, now: datetime) -> bool:
    """Set a marker attribute if `allowed(previous value)`, atomically (exactly one claimant wins)."""
    marker = config_store.bot_marker(tenant_id, conversation_id)
    if not allowed(getattr(marker, attr) if marker is not None else None):
        return False
    return config_store.claim_bot_marker(tenant_id, conversation_id, attr, iso(now), marker)


def claim_greeting(tenant_id: str, conversation_id: str) -> bool:
    return _claim(tenant_id, conversation_id, "greeted_at", lambda previous: previous is None, utcnow())


def claim_out_of_hours(tenant_id: str, conversation_id: str, now: datetime) -> bool:
    cutoff = iso(now - OUT_OF_HOURS_REPEAT)
    return _claim(tenant_id, conversation_id, "out_of_hours_at",
                  lambda previous: previous is None or previous < cutoff, now)


def on_conversation_created(tenant_id: str, conversation_id: str, config: InboxSettings,
                            written_at: str | None = None) -> str | None:
    greeting = config.bots.greeting
    if not greeting.enabled or not greeting.text.strip() or not fresh(written_at):
        return None
    if not attending(tenant_id):
        return None  # the out-of-hours reply answers instead
    if human_holds(state.load(tenant_id, conversation_id), written_at):
        return None  # an agent took it (or answered) before this event was handled
    if not claim_greeting(tenant_id, conversation_id):
        return None
    return send(tenant_id, conversation_id, greeting.text, purpose="greeting", unless_human=True, since=written_at)


def on_customer_message(item: ConversationItem, text: str | None, config: InboxSettings, *,
                        written_at: str | None = None, at: datetime | None = None) -> dict[str, Any]:
    """What the bots do with a customer's message; returns what happened (for logs and tests)."""
    tenant_id, conversation_id = item.tenant_id, item.conversation_id
    bots = config.bots
    now = at or utcnow()
    if item.status == "closed" or not fresh(written_at or item.last_customer_message_at, now):
        return {"action": None}
    if wants_human(text, bots.handoff_keywords):
        if item.assignee is None:
            from skailan.conversations.inbox import assignment
            from skailan.conversations.inbox.actions import conversation_event

            holders.mutate(tenant_id, conversation_id, lambda current: Plan(
                changes={"priority": current.priority or "high"} if not current.priority else {},
                events=[conversation_event(current, "conversation.handoff_requested", None, {"text": (text or "")[:200]},
                                           actor_name=BOT_ID)]))
            send(tenant_id, conversation_id, bots.handoff_reply, purpose="handoff")
            decision = assignment.assign_automatically(tenant_id, conversation_id)
            return {"action": "handoff", "assignee": decision.assignee}
        return {"action": None}
    # Automatic replies only while no person holds the conversation (decided here from the event's
    # read, checked again by `send` right before queueing).
    if human_holds(item):
        return {"action": None}
    if not attending(tenant_id, now):
        # Anything the business wrote after this message answers it: no out-of-hours notice after.
        since = written_at or item.last_customer_message_at
        if human_holds(item, since):
            return {"action": None}
        if bots.out_of_hours.enabled and bots.out_of_hours.text.strip() and \
                claim_out_of_hours(tenant_id, conversation_id, now):
            if send(tenant_id, conversation_id, bots.out_of_hours.text, purpose="out_of_hours",
                    unless_human=True, since=since) is None:
                return {"action": None}
            return {"action": "out_of_hours"}
        return {"action": None}
    rule = faq_answer(text, bots.faq)
    if rule is not None:
        if send(tenant_id, conversation_id, rule.answer, purpose=f"faq:{rule.id}", unless_human=True) is None:
            return {"action": None}
        return {"action": "faq", "rule": rule.id}
    return {"action": None}


def inactive(item: ConversationItem, minutes: int, now: datetime) -> bool:
    """The business spoke last and the customer has not answered for `minutes`."""
    if item.status == "closed" or item.snoozed_until or not item.last_agent_message_at:
        return False
    # Who spoke last, in the order the store received it (provider times have second precision).
    if (item.last_message or {}).get("direction") == "in":
        return False
    return parse_iso(item.last_agent_message_at) + timedelta(minutes=minutes) <= now


def close_inactive(tenant_id: str, conversation_id: str, config: InboxSettings, now: datetime | None = None) -> bool:
    from skailan.conversations.inbox import actions

    settings = config.bots.inactivity
    if not settings.enabled:
        return False
    now = now or utcnow()
    item = state.load(tenant_id, conversation_id)
    if not inactive(item, settings.minutes, now):
        return False
    if settings.message.strip():
        send(tenant_id, conversation_id, settings.message, purpose="inactivity")
    actions.close(None, tenant_id, conversation_id, settings.reason_id, actor_name=BOT_ID,
                  note=f"Cierre automático por inactividad ({settings.minutes} min). / "
                       f"Closed automatically after {settings.minutes} min of inactivity.")
    return True
