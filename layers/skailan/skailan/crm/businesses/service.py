"""Businesses (companies, brands the people work for) and the people linked to them with a role.

A business is its own partition `T#<t>#B#<id>`: the business item plus one link item per
person (`PERSON#<person id>`, with the role). Listing a business's people is one Query;
listing a person's businesses is one Query on gsi2 `T#<t>#P#<person>#BIZ`. The brand's
businesses are listed and searched by folded name prefix on gsi1 `T#<t>#BUSINESSES`.
"""

from __future__ import annotations

from typing import Any

from skailan.crm.businesses.models import (
    BusinessIn,
    BusinessOut,
    BusinessPersonIn,
    BusinessPersonOut,
    BusinessUpdateIn,
)
from skailan.crm.events import build
from skailan.crm.references import check_member
from skailan.crm.store import businesses as store
from skailan.crm.store.items import BusinessItem
from skailan.crm.values.types import Page
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.i18n import both
from skailan.platform.ids import new_id

NOT_FOUND = both("Empresa no encontrada", "Business not found")




def _out(item: BusinessItem) -> BusinessOut:
    return BusinessOut(id=item.business_id, name=item.name, website=item.website, phone=item.phone, email=item.email,
                       tax_id=item.tax_id, address=item.address, notes=item.notes,
                       key_account=bool(item.key_account), account_manager_id=item.account_manager_id,
                       created_at=item.created_at, updated_at=item.updated_at)


def _kam_data(item: BusinessItem) -> dict[str, object]:
    """What the analytics worker keeps of a business (KAM KPIs): additive event payload keys."""
    return {"name": item.name, "key_account": bool(item.key_account), "account_manager_id": item.account_manager_id}


def _check_manager(tenant_id: str, manager_id: str | None) -> None:
    if not manager_id:
        return
    errors: list[dict[str, Any]] = []
    check_member(errors, tenant_id, manager_id, field="account_manager_id",
                 message=both("Responsable desconocido", "Unknown manager"))
    if errors:
        raise Unprocessable(both("Responsable de la cuenta desconocido", "Unknown account manager"), details=errors)


def _normalized_contacts(tenant_id: str, phone: str | None, email: str | None) -> tuple[str | None, str | None]:
    from skailan.crm.people.service import default_country, normalize_email, normalize_phone

    errors: list[dict] = []
    out_phone = out_email = None
    try:
        out_phone = normalize_phone(phone, default_country(tenant_id)) if phone else None
    except Unprocessable as err:
        errors += err.details or []
    try:
        out_email = normalize_email(email) if email else None
    except Unprocessable as err:
        errors += err.details or []
    if errors:
        raise Unprocessable(both("Los datos de la empresa no son válidos", "The business data is not valid"),
                            details=errors)
    return out_phone, out_email


def create_business(caller: Caller, data: BusinessIn) -> BusinessOut:
    tenant_id = caller.tenant_id
    phone, email = _normalized_contacts(tenant_id, data.phone, data.email)
    _check_manager(tenant_id, data.account_manager_id)
    business_id = new_id()
    item = store.business_item(tenant_id, business_id, " ".join(data.name.split()), iso(), website=data.website,
                               phone=phone, email=email, tax_id=data.tax_id, address=data.address, notes=data.notes,
                               key_account=data.key_account or None, account_manager_id=data.account_manager_id)
    store.put_new_business(item, events=[build(tenant_id, "business.created", caller=caller, entity_type="business",
                                               entity_id=business_id, data=_kam_data(item))])
    return _out(item)


def load_business(tenant_id: str, business_id: str) -> BusinessItem:
    item = store.find_business(tenant_id, business_id)
    if item is None or item.deleted_at:
        raise NotFound(NOT_FOUND, code="business_not_found")
    return item


def get_business(tenant_id: str, business_id: str) -> BusinessOut:
    return _out(load_business(tenant_id, business_id))


def list_businesses(tenant_id: str, *, q: str | None, cursor: str | None, limit: int | None) -> Page[BusinessOut]:
    found = store.businesses_page(tenant_id, q or "", cursor=cursor, limit=limit)
    return Page[BusinessOut](items=[_out(i) for i in found.items], next_cursor=found.next_cursor)


def update_business(caller: Caller, business_id: str, data: BusinessUpdateIn) -> BusinessOut:
    tenant_id = caller.tenant_id
    item = load_business(tenant_id, business_id)
    sent = data.model_fields_set
    phone, email = _normalized_contacts(tenant_id, data.phone if "phone" in sent else None,
                                        data.email if "email" in sent else None)
    if "name" in sent and data.name:
        store.rename(item, " ".join(data.name.split()))
    for key in ("website", "tax_id", "address", "notes"):
        if key in sent:
            setattr(item, key, getattr(data, key))
    if "key_account" in sent:
        item.key_account = bool(data.key_account) or None
    if "account_manager_id" in sent:
        _check_manager(tenant_id, data.account_manager_id)
        item.account_manager_id = data.account_manager_id
    if "phone" in sent:
        item.phone = phone
    if "email" in sent:
        item.email = email
    item.updated_at = iso()
    event = build(tenant_id, "business.updated", caller=caller, entity_type="business", entity_id=business_id,
                  data={"changed": sorted(sent), **_kam_data(item)})
    if not store.save_business(item, events=[event]):  # VersionAttribute: a concurrent edit fails, not lost
        raise Conflict(both("La empresa cambió mientras la editabas", "The business changed while you edited it"),
                       code="concurrent_update")
    return _out(item)


def delete_business(caller: Caller, business_id: str) -> None:
    """Soft delete: hidden from lists and reads; the links go with it."""
    tenant_id = caller.tenant_id
    item = load_business(tenant_id, business_id)
    store.delete_business(item, iso(), events=[build(tenant_id, "business.deleted", caller=caller,
                                                     entity_type="business", entity_id=business_id)])


def link_person(caller: Caller, business_id: str, data: BusinessPersonIn) -> BusinessPersonOut:
    from skailan.crm.people.service import to_out
    from skailan.crm.store.person_reads import load_person

    tenant_id = caller.tenant_id
    business = load_business(tenant_id, business_id)
    try:
        person = load_person(tenant_id, data.person_id, writable=True)
    except NotFound as err:
        raise NotFound(both("Persona no encontrada", "Person not found"), code="contact_not_found",
                       details=[{"field": "person_id", "error": "not_found"}]) from err
    store.link_person(business, person.person_id, data.role, iso(), events=[
        build(tenant_id, "business.person_linked", caller=caller, entity_type="business", entity_id=business_id,
              data={"person_id": person.person_id, "role": data.role})])
    return BusinessPersonOut(business_id=business_id, person_id=person.person_id, role=data.role,
                             person=to_out(person))


def unlink_person(caller: Caller, business_id: str, person_id: str) -> None:
    tenant_id = caller.tenant_id
    business = load_business(tenant_id, business_id)
    event = build(tenant_id, "business.person_unlinked", caller=caller, entity_type="business",
                  entity_id=business_id, data={"person_id": person_id})
    if not store.unlink_person(business, person_id, events=[event]):
        raise NotFound(both("La persona no está en la empresa", "The person is not in the business"),
                       code="business_person_not_found")


def list_business_people(tenant_id: str, business_id: str, *, cursor: str | None,
                         limit: int | None) -> Page[BusinessPersonOut]:
    from skailan.crm.people.service import to_out
    from skailan.crm.store.person_reads import batch_people

    business = load_business(tenant_id, business_id)
    page = store.business_links_page(business, cursor=cursor, limit=limit)
    links = page.items
    found = batch_people(tenant_id, [link.person_id for link in links])
    items = [BusinessPersonOut(business_id=business_id, person_id=link.person_id, role=link.role,
                               person=to_out(found[link.person_id]))
             for link in links if link.person_id in found and not found[link.person_id].deleted_at]
    return Page[BusinessPersonOut](items=items, next_cursor=page.next_cursor)


def list_person_businesses(tenant_id: str, person_id: str) -> list[BusinessPersonOut]:
    from skailan.crm.store.person_reads import load_person

    load_person(tenant_id, person_id)
    links = store.person_links(tenant_id, person_id)
    found = store.businesses_by_id(tenant_id, [link.business_id for link in links])
    return [BusinessPersonOut(business_id=link.business_id, person_id=person_id, role=link.role,
                              business=_out(found[link.business_id]))
            for link in links if link.business_id in found and not found[link.business_id].deleted_at]

