"""Tenancy's domain events (source `skailan.tenancy`): built from the caller, written to the tenancy
table's outbox (`skailan.platform.outbox`) right after the write — its Pipe puts them on the bus.
The types and their payloads: `skailan.tenancy.catalogue`."""

from __future__ import annotations

from typing import Any

from skailan.platform import outbox
from skailan.platform.events import DomainEvent, build_event
from skailan.platform.settings import get_settings
from skailan.tenancy.catalogue import CATALOGUE

SOURCE = "skailan.tenancy"


def emit(tenant_id: str, type_: str, **fields: Any) -> DomainEvent:
    """After a write that took no transaction: the event's outbox item, one PutItem right after it."""
    event = build_event(SOURCE, tenant_id, CATALOGUE.check(type_), **fields)
    outbox.write([event], get_settings().tenancy_table)
    return event
