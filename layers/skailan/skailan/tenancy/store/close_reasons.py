"""Close reasons: a handful per brand, in the brand's partition. Each write takes its events in the
same transaction (`events=`: the outbox)."""

from __future__ import annotations

from collections.abc import Sequence

from skailan.platform import outbox
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent
from skailan.platform.storage import conditional, find_item
from skailan.tenancy.store.items import (
    CLOSE_REASON_PREFIX,
    CloseReasonItem,
    close_reason_sk,
    events_table,
    tenant_pk,
)


def new_reason(tenant_id: str, reason_id: str, *, name: str, name_en: str | None,
               position: int) -> CloseReasonItem:
    """A close reason, not saved yet."""
    now = iso()
    return CloseReasonItem(tenant_pk(tenant_id), close_reason_sk(reason_id), tenant_id=tenant_id,
                           reason_id=reason_id, name=name, name_en=name_en, position=position, created_at=now,
                           updated_at=now)


def add_reason(item: CloseReasonItem, events: Sequence[DomainEvent] = ()) -> None:
    """Save a new reason; `ConditionFailed` when the brand has one with that id."""
    with conditional():
        outbox.put_with(item, events, events_table(), condition=CloseReasonItem.pk.does_not_exist())


def list_reasons(tenant_id: str) -> list[CloseReasonItem]:
    """Every reason of the brand, inactive ones included: one Query."""
    return list(CloseReasonItem.query(tenant_pk(tenant_id), CloseReasonItem.sk.startswith(CLOSE_REASON_PREFIX)))


def find_reason(tenant_id: str, reason_id: str) -> CloseReasonItem | None:
    return find_item(CloseReasonItem, tenant_pk(tenant_id), close_reason_sk(reason_id))


def save_reason(item: CloseReasonItem, events: Sequence[DomainEvent] = ()) -> None:
    """Write an edited reason; `ConditionFailed` when it was deleted meanwhile."""
    with conditional():
        outbox.put_with(item, events, events_table(), condition=CloseReasonItem.pk.exists())


def delete_reason(item: CloseReasonItem, events: Sequence[DomainEvent] = ()) -> None:
    """`ConditionFailed` when it was deleted meanwhile (one delete, one event)."""
    with conditional():
        outbox.delete_with(item, events, events_table(), condition=CloseReasonItem.pk.exists())
