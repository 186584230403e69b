"""The conversations context's domain events: their types in one place, built with stable ids.

An event's id is derived from what it is about (tenant, type, message or conversation), so a
retried worker that publishes again publishes the same ids and consumers can drop the repeat.
Published with one PutEvents per stored message (`platform.events.publish`, chunks of 10).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from skailan.platform.events import Actor, DomainEvent

SOURCE = "skailan.conversations"

MESSAGE_RECEIVED = "message.received"  # a customer's message was stored
MESSAGE_QUEUED = "message.queued"  # an agent's message was accepted for sending
MESSAGE_SENT = "message.sent"  # the provider accepted it
MESSAGE_FAILED = "message.failed"  # it will not be delivered (reason in es/en)
MESSAGE_STATUS_CHANGED = "message.status_changed"  # delivered / read reported by the provider
CONVERSATION_CREATED = "conversation.created"
CONVERSATION_REOPENED = "conversation.reopened"
CONVERSATION_RATED = "conversation.rated"  # the customer answered a rating question (the conversation stays closed)
CONVERSATION_NPS_ANSWERED = "conversation.nps_answered"  # the customer answered the NPS question (0–10)

TYPES = frozenset({MESSAGE_RECEIVED, MESSAGE_QUEUED, MESSAGE_SENT, MESSAGE_FAILED, MESSAGE_STATUS_CHANGED,
                   CONVERSATION_CREATED, CONVERSATION_REOPENED, CONVERSATION_RATED, CONVERSATION_NPS_ANSWERED})


def stable_id(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return base64.b32encode(digest).decode().rstrip("=")[:26]


def build(tenant_id: str, type_: str, *, key: str, entity_type: str, entity_id: str, data: dict[str, Any],
          occurred_at: str | None = None, actor: Actor | None = None,
          correlation_id: str | None = None) -> DomainEvent:
    assert type_ in TYPES, type_
    fields: dict[str, Any] = {}
    if occurred_at:
        fields["occurred_at"] = occurred_at
    return DomainEvent(
        id=stable_id(tenant_id, type_, key), tenant_id=tenant_id, source=SOURCE, type=type_,
        actor=actor or Actor(), correlation_id=correlation_id, entity_type=entity_type,
        entity_id=entity_id, data=data, **fields,
    )
