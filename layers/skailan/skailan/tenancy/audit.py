"""The audit log: who changed what and when, written from domain events, read by admins."""

from __future__ import annotations

from skailan.platform.events import DomainEvent
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor
from skailan.tenancy.models import AuditEntryOut, Page
from skailan.tenancy.store.items import AuditItem, audit_actor_pk, audit_entity_pk, audit_sk, tenant_pk


def record(event: DomainEvent) -> None:
    """Idempotent: the key is (tenant, time#event id), so a redelivery rewrites the same item."""
    tenant_id = event.tenant_id
    AuditItem(
        tenant_pk(tenant_id),
        audit_sk(event.occurred_at, event.id),
        event_id=event.id,
        type=event.type,
        occurred_at=event.occurred_at,
        actor=event.actor.model_dump(),
        actor_pk=audit_actor_pk(tenant_id, event.actor.id) if event.actor.id else None,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        entity_pk=audit_entity_pk(tenant_id, event.entity_type) if event.entity_type else None,
        data=event.data,
    ).save()


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
    """Newest first. One Query on the table or on the actor/entity index, bounded by date."""
    pk = tenant_pk(tenant_id)
    lower, upper = date_from or "0", (date_to or "9999") + "\uffff"
    sk_range = AuditItem.sk.between(lower, upper)
    filters = None
    if user_id:
        partition, attr, query = audit_actor_pk(tenant_id, user_id), "actor_pk", AuditItem.by_actor.query
        if entity_type:
            filters = AuditItem.entity_type == entity_type
    elif entity_type:
        partition, attr, query = audit_entity_pk(tenant_id, entity_type), "entity_pk", AuditItem.by_entity.query
    else:
        partition, attr, query = pk, "pk", AuditItem.query
    if entity_id:
        filters = (filters & (AuditItem.entity_id == entity_id)) if filters is not None else (
            AuditItem.entity_id == entity_id)
    results = query(
        partition, sk_range, filter_condition=filters, scan_index_forward=False, limit=clamp_limit(limit),
        last_evaluated_key=decode_cursor(cursor, partition_attr=attr, partition_value=partition),
    )
    items = [_out(i) for i in results]
    return Page[AuditEntryOut](items=items, next_cursor=encode_cursor(results.last_evaluated_key))
