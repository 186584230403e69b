"""CSAT: a customer satisfaction question when a conversation is closed, the 1–5 answer as its
rating, and counters for the dashboard.

- `conversation.closed` (events worker): when the brand turned CSAT on and the channel can still
  take free text (WhatsApp: inside the 24-hour customer-service window), the question goes out
  through the channels' outbound path as a *system* message, and the conversation awaits a
  rating until now + `window_hours` (`awaiting_rating_until`, with who is rated:
  `rating_agent` = the holder when it was closed, else the person who closed it, and
  `rating_team`). Outside the window nothing is sent and `conversation.csat_skipped` records
  why. Exactly one decision per close: `csat_for` = the close's `closed_at`, written with the
  inbox's conditional transaction (`holders.mutate`), so a redelivered event sends nothing.
- The answer is recorded by the channels' ingest (`store.append_message` mode "rate"): the
  conversation stays closed and `conversation.rated` is published; anything else re-opens it.
- `conversation.rated` (events worker): a history entry and the `csat` counters (count, sum,
  distribution 1–5) per agent, team and channel, counted once per event.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from skailan.conversations.domain.policy import window_open
from skailan.conversations.inbox.models import InboxSettings
from skailan.conversations.store import mutate as holders
from skailan.conversations.store import state
from skailan.conversations.store.items import ConversationItem
from skailan.conversations.store.mutate import Plan
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, utcnow
from skailan.platform.errors import NotFound
from skailan.platform.events import DomainEvent
from skailan.platform.observability import logger

CSAT_ID = "csat"


def csat_caller(tenant_id: str) -> Caller:
    """The survey is the brand's own (system) message, not an agent's or a bot's reply."""
    return Caller(tenant_id=tenant_id, principal_id=CSAT_ID, kind="system", name="CSAT")


def why_not(item: ConversationItem) -> str | None:
    """Why the channel cannot take the question now (None: it can)."""
    if item.channel == "whatsapp" and not window_open(item.last_customer_message_at, now=utcnow()):
        return "window_closed"
    return None


def on_conversation_closed(event: DomainEvent, config: InboxSettings) -> dict[str, Any]:
    from skailan.conversations import outbound
    from skailan.conversations.inbox.actions import conversation_event
    from skailan.conversations.models import MessageIn

    # One survey per close: the NPS question (0–10) where the brand turned it on for the channel,
    # else the CSAT question (1–5); the answer is parsed by the kind the conversation awaits.
    channel = event.data.get("channel")
    nps = config.nps.enabled and (not config.nps.channels or channel in config.nps.channels)
    survey = "nps" if nps else "csat"
    settings: Any = config.nps if nps else config.csat
    if not settings.enabled or not settings.question.strip():
        return {"csat": "disabled"}
    tenant_id = event.tenant_id
    conversation_id = str(event.data.get("conversation_id") or event.entity_id or "")
    try:
        item = state.load(tenant_id, conversation_id)
    except NotFound:
        return {"csat": "gone"}
    closed_at = item.closed_at
    if item.status != "closed" or not closed_at:
        return {"csat": "not_closed"}
    reason = why_not(item)
    agent = event.data.get("assignee") or (event.actor.id if event.actor.kind == "user" else None)
    team = event.data.get("team_id") or item.team_id
    until = iso(utcnow() + timedelta(hours=settings.window_hours))

    def decide(current: ConversationItem) -> Plan | None:
        if current.status != "closed" or current.closed_at != closed_at or current.csat_for == closed_at:
            return None  # re-opened meanwhile, or this close was already decided (a redelivery)
        condition = state.closed_at(closed_at)
        if reason:
            return Plan(changes={"csat_for": closed_at, "csat_status": f"skipped:{reason}"}, condition=condition,
                        events=[conversation_event(current, "conversation.csat_skipped", None,
                                                   {"reason": reason, "closed_at": closed_at,
                                                    "window_expires_at": state.window_expires_at(current)},
                                                   actor_name=CSAT_ID)])
        return Plan(changes={"csat_for": closed_at, "csat_status": "sent", "awaiting_rating_until": until,
                             "rating_agent": agent, "rating_team": team, "rating": None, "rated_at": None,
                             "rating_message_id": None, "rating_kind": "nps" if nps else None},
                    condition=condition,
                    events=[conversation_event(current, "conversation.csat_requested", None,
                                               {"closed_at": closed_at, "awaiting_rating_until": until,
                                                "agent": agent, "team": team, "survey": survey},
                                               actor_name=CSAT_ID)])

    _, plan = holders.mutate(tenant_id, conversation_id, decide)
    if plan is None:
        return {"csat": "already_decided"}
    if reason:
        logger.info("csat survey skipped", tenant_id=tenant_id, conversation_id=conversation_id, reason=reason)
        return {"csat": "skipped", "reason": reason}
    message = outbound.queue_message(csat_caller(tenant_id), conversation_id, MessageIn(text=settings.question))
    logger.info("csat survey queued", tenant_id=tenant_id, conversation_id=conversation_id, message_id=message.id,
                survey=survey)
    return {"csat": "sent", "survey": survey, "message_id": message.id}


def on_rated(event: DomainEvent) -> dict[str, Any]:
    """History entry and counters for a customer's rating (each once per event)."""
    from skailan.conversations.inbox import metrics
    from skailan.conversations.store import history

    data = event.data
    conversation_id = str(data.get("conversation_id") or event.entity_id or "")
    rating = data.get("rating")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        return {"csat": "invalid_rating"}
    history.record(event, conversation_id)  # keyed by the event: a redelivery rewrites the same entry
    if metrics.first_time(event.tenant_id, f"{event.id}:csat"):
        metrics.record(event.tenant_id, "csat", at=data.get("rated_at") or event.occurred_at, value=rating,
                       dimensions={"agent": data.get("agent"), "team": data.get("team"),
                                   "channel": data.get("channel")})
    return {"csat": "rated", "rating": rating}
