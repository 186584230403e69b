"""CRM domain events (source `skailan.crm`): built from the caller, written to the contacts table's
outbox (`skailan.platform.outbox`) right after the write — its Pipe puts them on the bus.

Types: contact.created | contact.updated | contact.deleted | contact.merged |
contact.journey_changed | contact.identity_added | contact.identity_removed | contact.note_added |
field.created/updated/deleted | tag.created/updated/deleted | customer_role.* | journey.* |
list.created/updated/deleted | list.members_added/removed | segment.created/updated/deleted |
business.created/updated/deleted | business.person_linked/unlinked | contact_export.requested.
The segments worker listens to contact.*, segment.*, list.deleted and field.deleted, and to the
conversations context's message.received (last interaction) — template.yaml SegmentsRule.
"""

from __future__ import annotations

from typing import Any

from skailan.crm.catalogue import CATALOGUE
from skailan.platform import outbox
from skailan.platform.events import DomainEvent, build_event
from skailan.platform.settings import get_settings

SOURCE = "skailan.crm"


def build(tenant_id: str, type_: str, **fields: Any) -> DomainEvent:
    return build_event(SOURCE, tenant_id, CATALOGUE.check(type_), **fields)


def emit(tenant_id: str, type_: str, **fields: Any) -> DomainEvent:
    """After a write that took no transaction: the event's outbox item, written right after it."""
    event = build(tenant_id, type_, **fields)
    outbox.write([event], get_settings().contacts_table)
    return event


def emit_many(events: list[DomainEvent]) -> None:
    if events:
        outbox.write(events, get_settings().contacts_table)
