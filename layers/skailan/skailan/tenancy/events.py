"""Tenancy's domain events (source `skailan.tenancy`): built from the caller, handed to the store's
write, which puts their outbox items (`skailan.platform.outbox`) in the same DynamoDB transaction
as the state change — its Pipe puts them on the bus. The types and their payloads:
`skailan.tenancy.catalogue`."""

from __future__ import annotations

from typing import Any

from skailan.platform.events import DomainEvent, build_event
from skailan.tenancy.catalogue import CATALOGUE

SOURCE = "skailan.tenancy"


def build(tenant_id: str, type_: str, **fields: Any) -> DomainEvent:
    """A tenancy event of a catalogued type, for the store write that carries it."""
    return build_event(SOURCE, tenant_id, CATALOGUE.check(type_), **fields)

