"""The inbox's domain events, built from the caller and written with the change they describe.

Two sources:
- `skailan.conversations` for what happens to a conversation (the same context as the
  channels' `conversation.created` / `message.received`): conversation.taken | assigned |
  unassigned | transferred | closed | reopened | snoozed | woke | pinned | unpinned |
  priority_changed | tags_changed | note_added | read | unread | queued | bot_replied |
  handoff_requested | first_response | resolved | unassigned_alert.
- `skailan.inbox` for the people and configuration around them: agent.presence_changed |
  agent.updated | team.created/updated/deleted | quick_reply.created/updated/deleted |
  whatsapp_template.created/updated/deleted | inbox.settings_updated | notification.created.

Every conversation event also becomes an entry of the conversation's history (`history.py`),
written by the code that changes the conversation, so the history does not depend on the bus.

Events reach the bus through the inbox table's outbox (`skailan.platform.outbox`), in the same
transaction as the state change: services `build` them first and hand them to the store's write
(`events=[...]`), which adds them with `add_to` (or `outbox.put_with` / `update_with` /
`delete_with` for a single item). The few writes that cannot take them in their transaction call
`outbox.write` themselves and say why there.
"""

from __future__ import annotations

from typing import Any

from skailan.conversations.catalogue import CATALOGUE as CONVERSATIONS_CATALOGUE
from skailan.conversations.inbox_catalogue import CATALOGUE as INBOX_CATALOGUE
from skailan.platform import outbox
from skailan.platform.auth import Caller
from skailan.platform.events import Actor, DomainEvent
from skailan.platform.settings import get_settings
from skailan.platform.storage import TransactWrite

CONVERSATIONS = "skailan.conversations"
INBOX = "skailan.inbox"


def actor_of(caller: Caller | None, *, name: str | None = None) -> Actor:
    if caller is None:
        return Actor(kind="system", id=name)
    return Actor(kind=caller.kind, id=caller.principal_id, email=caller.email)


def build(
    tenant_id: str,
    type_: str,
    *,
    caller: Caller | None = None,
    source: str = INBOX,
    entity_type: str | None = None,
    entity_id: str | None = None,
    data: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> DomainEvent:
    catalogue = CONVERSATIONS_CATALOGUE if source == CONVERSATIONS else INBOX_CATALOGUE
    return DomainEvent(
        tenant_id=tenant_id, source=source, type=catalogue.check(type_), actor=actor or actor_of(caller),
        entity_type=entity_type, entity_id=entity_id, data=data or {},
    )


def table() -> str:
    """The table whose outbox carries the inbox's events (both sources)."""
    return get_settings().inbox_table


def add_to(tx: TransactWrite, events: list[DomainEvent]) -> None:
    """The events' outbox items in the caller's transaction (after its own operations)."""
    outbox.add(tx, events, table())

