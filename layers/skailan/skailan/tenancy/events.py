"""Tenancy's domain events: built from the caller, published after the write."""

from __future__ import annotations

from typing import Any

from skailan.platform.auth import Caller
from skailan.platform.events import Actor, DomainEvent, publish

SOURCE = "skailan.tenancy"


def actor_of(caller: Caller | None) -> Actor:
    if caller is None:
        return Actor()
    return Actor(kind=caller.kind, id=caller.principal_id, email=caller.email)


def emit(
    tenant_id: str,
    type_: str,
    *,
    caller: Caller | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> DomainEvent:
    event = DomainEvent(
        tenant_id=tenant_id,
        source=SOURCE,
        type=type_,
        actor=actor_of(caller),
        entity_type=entity_type,
        entity_id=entity_id,
        data=data or {},
    )
    publish([event])
    return event
