"""Brands (tenants) and their settings."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PutError

from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.tenancy import close_reasons
from skailan.tenancy.defaults import DEFAULT_BUSINESS_HOURS
from skailan.tenancy.events import emit
from skailan.tenancy.items import BrandItem, tenant_pk
from skailan.tenancy.models import BrandOut, BrandSettingsIn

BRAND_SK = "BRAND"


def _out(item: BrandItem) -> BrandOut:
    s = item.settings or {}
    return BrandOut(
        id=item.tenant_id,
        name=item.name,
        logo_url=s.get("logo_url"),
        contact_email=s.get("contact_email"),
        contact_phone=s.get("contact_phone"),
        address=s.get("address"),
        website=s.get("website"),
        time_zone=s.get("time_zone", "UTC"),
        language=s.get("language", "es"),
        default_country=s.get("default_country", "CO"),
        business_hours=s.get("business_hours", DEFAULT_BUSINESS_HOURS),
    )


def _load(tenant_id: str) -> BrandItem:
    try:
        return BrandItem.get(tenant_pk(tenant_id), BRAND_SK)
    except BrandItem.DoesNotExist as err:
        raise NotFound("Marca no encontrada. / Brand not found.", code="brand_not_found") from err


def get_brand(tenant_id: str) -> BrandOut:
    return _out(_load(tenant_id))


def brand_names(tenant_ids: list[str]) -> dict[str, str]:
    keys = [(tenant_pk(t), BRAND_SK) for t in set(tenant_ids)]
    return {b.tenant_id: b.name for b in BrandItem.batch_get(keys)} if keys else {}


def create_brand(
    tenant_id: str, name: str, *, time_zone: str, default_country: str, language: str = "es"
) -> tuple[BrandOut, bool]:
    """Create a brand with its defaults; returns (brand, created). Safe to call again."""
    now = iso()
    item = BrandItem(
        tenant_pk(tenant_id),
        BRAND_SK,
        tenant_id=tenant_id,
        name=name,
        settings={
            "time_zone": time_zone,
            "default_country": default_country,
            "language": language,
            "business_hours": DEFAULT_BUSINESS_HOURS,
        },
        created_at=now,
        updated_at=now,
    )
    try:
        item.save(condition=BrandItem.pk.does_not_exist())
    except PutError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            return get_brand(tenant_id), False
        raise
    close_reasons.ensure_defaults(tenant_id)
    emit(tenant_id, "brand.created", entity_type="brand", entity_id=tenant_id, data={"name": name})
    return _out(item), True


def update_brand(caller: Caller, changes: BrandSettingsIn) -> BrandOut:
    item = _load(caller.tenant_id)
    patch: dict[str, Any] = changes.model_dump(mode="json", exclude_unset=True)
    if not patch:
        return _out(item)
    nulls = sorted(key for key, value in patch.items() if value is None)
    if nulls:  # no brand setting may be erased to null (it would break reading the brand)
        raise Unprocessable("Un valor no puede ser nulo. / A value cannot be null.",
                            details=[{"field": key, "error": "null_not_allowed"} for key in nulls])
    if "name" in patch:
        item.name = patch.pop("name")
    item.settings = {**(item.settings or {}), **patch}
    item.updated_at = iso()
    try:
        item.save()  # VersionAttribute: a concurrent edit fails instead of being lost
    except PutError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict(
                "La marca cambió mientras la editabas; vuelve a intentarlo. / "
                "The brand changed while you edited it; try again.",
                code="concurrent_update",
            ) from err
        raise
    emit(
        caller.tenant_id,
        "brand.updated",
        caller=caller,
        entity_type="brand",
        entity_id=caller.tenant_id,
        data={"changed": sorted(changes.model_dump(exclude_unset=True))},
    )
    return _out(item)
