"""Close reasons: mandatory when a conversation is closed; Spanish defaults per brand."""

from __future__ import annotations

import contextlib

from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import NotFound
from skailan.platform.ids import new_id
from skailan.platform.storage import ConditionFailed, refused_as
from skailan.tenancy.defaults import DEFAULT_CLOSE_REASONS
from skailan.tenancy.events import build
from skailan.tenancy.models import CloseReasonIn, CloseReasonOut, CloseReasonUpdateIn
from skailan.tenancy.store import close_reasons as store
from skailan.tenancy.store.items import CloseReasonItem


def _out(item: CloseReasonItem) -> CloseReasonOut:
    return CloseReasonOut(
        id=item.reason_id, name=item.name, name_en=item.name_en, active=item.active, position=int(item.position)
    )


def ensure_defaults(tenant_id: str) -> None:
    for position, (reason_id, name, name_en) in enumerate(DEFAULT_CLOSE_REASONS):
        item = store.new_reason(tenant_id, reason_id, name=name, name_en=name_en, position=position)
        with contextlib.suppress(ConditionFailed):  # already there (kept as the brand left it)
            store.add_reason(item)


def list_reasons(tenant_id: str, *, include_inactive: bool = False) -> list[CloseReasonOut]:
    # A brand has a handful of reasons: one Query returns them all, sorted for display.
    items = store.list_reasons(tenant_id)
    reasons = [_out(i) for i in items if include_inactive or i.active]
    return sorted(reasons, key=lambda r: (r.position, r.name))


def get_reason(tenant_id: str, reason_id: str) -> CloseReasonOut:
    return _out(_load(tenant_id, reason_id))


def _load(tenant_id: str, reason_id: str) -> CloseReasonItem:
    item = store.find_reason(tenant_id, reason_id)
    if item is None:
        raise _not_found()
    return item


def _not_found() -> NotFound:
    return NotFound("Motivo de cierre no encontrado. / Close reason not found.", code="close_reason_not_found")


def create_reason(caller: Caller, data: CloseReasonIn) -> CloseReasonOut:
    reason_id = new_id().lower()
    item = store.new_reason(caller.tenant_id, reason_id, name=data.name, name_en=data.name_en,
                            position=data.position)
    store.add_reason(item, events=[build(caller.tenant_id, "close_reason.created", caller=caller,
                                         entity_type="close_reason", entity_id=reason_id, data={"name": data.name})])
    return _out(item)


def update_reason(caller: Caller, reason_id: str, data: CloseReasonUpdateIn) -> CloseReasonOut:
    item = _load(caller.tenant_id, reason_id)
    changes = data.model_dump(exclude_unset=True)
    for key, value in changes.items():
        setattr(item, key, value)
    item.updated_at = iso()
    updated = build(caller.tenant_id, "close_reason.updated", caller=caller, entity_type="close_reason",
                    entity_id=reason_id, data={"changed": sorted(changes)})
    with refused_as(_not_found()):  # deleted meanwhile
        store.save_reason(item, events=[updated])
    return _out(item)


def delete_reason(caller: Caller, reason_id: str) -> None:
    item = _load(caller.tenant_id, reason_id)
    deleted = build(caller.tenant_id, "close_reason.deleted", caller=caller, entity_type="close_reason",
                    entity_id=reason_id, data={"name": item.name})
    with refused_as(_not_found()):  # deleted meanwhile: one deletion, one event
        store.delete_reason(item, events=[deleted])
