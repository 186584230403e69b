"""The audit log: who changed what and when, written from domain events, read by admins."""

from __future__ import annotations

from skailan.platform.events import DomainEvent
from skailan.tenancy.models import AuditEntryOut, Page
from skailan.tenancy.store import audit as store
from skailan.tenancy.store.items import AuditItem


def record(event: DomainEvent) -> None:
    """Idempotent: a redelivered event rewrites its own entry."""
    store.record(event.tenant_id, event.id, type_=event.type, occurred_at=event.occurred_at,
                 actor=event.actor.model_dump(), actor_id=event.actor.id, entity_type=event.entity_type,
                 entity_id=event.entity_id, data=event.data)


def _out(item: AuditItem) -> AuditEntryOut:
    return AuditEntryOut(id=item.event_id, occurred_at=item.occurred_at, type=item.type, actor=item.actor,
                         entity_type=item.entity_type, entity_id=item.entity_id, data=item.data or {})


def list_entries(
    tenant_id: str,
    *,
    user_id: str | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[AuditEntryOut]:
    """Newest first, one Query bounded by date (by actor, entity type, or the whole brand)."""
    items, next_cursor = store.list_entries(tenant_id, user_id=user_id, entity_type=entity_type, entity_id=entity_id,
                                            date_from=date_from, date_to=date_to, cursor=cursor, limit=limit)
    return Page[AuditEntryOut](items=[_out(i) for i in items], next_cursor=next_cursor)
