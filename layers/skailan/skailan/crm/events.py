"""CRM domain events (source `skailan.crm`): built from the caller and handed to the store's write,
which puts them in the contacts table's outbox in the SAME transaction as the state change
(`skailan.platform.outbox`; `events=` on the store functions) — the table's Pipe puts them on the
bus. The few writes that cannot take them (many transactions told by one event, a queue send in
between) call `outbox.write` right after, saying why there.

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
from skailan.platform.events import DomainEvent, build_event

SOURCE = "skailan.crm"


def build(tenant_id: str, type_: str, **fields: Any) -> DomainEvent:
    return build_event(SOURCE, tenant_id, CATALOGUE.check(type_), **fields)
