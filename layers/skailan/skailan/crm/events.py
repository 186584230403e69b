"""CRM domain events (source `skailan.crm`): built from the caller, published after the write.

Types: contact.created | contact.updated | contact.deleted | contact.merged |
contact.journey_changed | contact.identity_added | contact.note_added |
field.created/updated/deleted | tag.created/updated/deleted | customer_role.* | journey.* |
list.created/updated/deleted | list.members_added/removed | segment.created/updated/deleted |
business.created/updated/deleted | business.person_linked/unlinked | contact_export.requested.
The segments worker listens to contact.*, segment.* and list.deleted (template.yaml).
"""

from __future__ import annotations

from typing import Any

from skailan.platform.auth import Caller
from skailan.platform.events import Actor, DomainEvent, publish

SOURCE = "skailan.crm"


def actor_of(caller: Caller | None) -> Actor:
    if caller is None:
        return Actor()
    return Actor(kind=caller.kind, id=caller.principal_id, email=caller.email)


def build(
    tenant_id: str,
    type_: str,
    *,
    caller: Caller | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> DomainEvent:
    return DomainEvent(tenant_id=tenant_id, source=SOURCE, type=type_, actor=actor_of(caller),
                       entity_type=entity_type, entity_id=entity_id, data=data or {})


def emit(
    tenant_id: str,
    type_: str,
    *,
    caller: Caller | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> DomainEvent:
    event = build(tenant_id, type_, caller=caller, entity_type=entity_type, entity_id=entity_id, data=data)
    publish([event])
    return event


def emit_many(events: list[DomainEvent]) -> None:
    if events:
        publish(events)
