"""The audit table: one entry per domain event, read newest first by brand, actor or entity type."""

from __future__ import annotations

from typing import Any

from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor
from skailan.tenancy.store.items import AuditItem, audit_actor_pk, audit_entity_pk, audit_sk, tenant_pk


def record(tenant_id: str, event_id: str, *, type_: str, occurred_at: str, actor: dict[str, Any],
           actor_id: str | None, entity_type: str | None, entity_id: str | None, data: dict[str, Any]) -> None:
    """Idempotent: the key is (tenant, time#event id), so a redelivery rewrites the same item."""
    AuditItem(
        tenant_pk(tenant_id),
        audit_sk(occurred_at, event_id),
        event_id=event_id,
        type=type_,
        occurred_at=occurred_at,
        actor=actor,
        actor_pk=audit_actor_pk(tenant_id, actor_id) if actor_id else None,
        entity_type=entity_type,
        entity_id=entity_id,
        entity_pk=audit_entity_pk(tenant_id, entity_type) if entity_type else None,
        data=data,
    ).save()


def list_entries(
    tenant_id: str,
    *,
    user_id: str | None,
    entity_type: str | None,
    entity_id: str | None,
    date_from: str | None,
    date_to: str | None,
    cursor: str | None,
    limit: int | None,
) -> tuple[list[AuditItem], str | None]:
    """Newest first, and the next cursor. One Query on the table or on the actor/entity index,
    bounded by date (`date_to` inclusive of the whole day or instant given)."""
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
        partition, attr, query = tenant_pk(tenant_id), "pk", AuditItem.query
    if entity_id:
        filters = (filters & (AuditItem.entity_id == entity_id)) if filters is not None else (
            AuditItem.entity_id == entity_id)
    results = query(
        partition, sk_range, filter_condition=filters, scan_index_forward=False, limit=clamp_limit(limit),
        last_evaluated_key=decode_cursor(cursor, partition_attr=attr, partition_value=partition),
    )
    items = list(results)
    return items, encode_cursor(results.last_evaluated_key)
