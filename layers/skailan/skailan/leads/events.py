"""Lead flow domain events (source `skailan.leads`), written to the leads table's outbox in the
same transaction as the state they describe (`skailan.platform.outbox`)."""

from __future__ import annotations

from typing import Any

from skailan.leads.catalogue import CATALOGUE, SOURCE
from skailan.platform.events import DomainEvent, build_event


def build(tenant_id: str, type_: str, **fields: Any) -> DomainEvent:
    """An event of a catalogued type whose payload validates (a drifted emitter fails here)."""
    event = build_event(SOURCE, tenant_id, CATALOGUE.check(type_), **fields)
    CATALOGUE.payload(type_, event.data)
    return event
