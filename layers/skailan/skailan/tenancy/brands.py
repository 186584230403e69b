"""Brands (tenants) and their settings."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.patching import deep_merge, lenient_validate
from skailan.platform.storage import ConditionFailed
from skailan.tenancy import close_reasons
from skailan.tenancy.defaults import DEFAULT_BUSINESS_HOURS
from skailan.tenancy.events import build
from skailan.tenancy.models import BrandOut, BrandSettings, BrandSettingsIn, known_country
from skailan.tenancy.store import brands as store
from skailan.tenancy.store.items import BrandItem


def stored_settings(item: BrandItem) -> BrandSettings:
    """The brand's settings as stored, any invalid value replaced by its default (and logged):
    nothing stored may break a reader — ingestion, phones, bots, forms."""
    return lenient_validate(BrandSettings, item.settings or {}, what="brand", tenant_id=item.tenant_id)


def _out(item: BrandItem) -> BrandOut:
    s = stored_settings(item).model_dump(mode="json")
    return BrandOut(id=item.tenant_id, name=item.name or item.tenant_id, **s)


def _load(tenant_id: str) -> BrandItem:
    item = store.find_brand(tenant_id)
    if item is None:
        raise NotFound("Marca no encontrada. / Brand not found.", code="brand_not_found")
    return item


def get_brand(tenant_id: str) -> BrandOut:
    return _out(_load(tenant_id))


def brand_names(tenant_ids: list[str]) -> dict[str, str]:
    return store.brand_names(tenant_ids)


def create_brand(
    tenant_id: str, name: str, *, time_zone: str, default_country: str, language: str = "es"
) -> tuple[BrandOut, bool]:
    """Create a brand with its defaults; returns (brand, created). Safe to call again, and resumable:
    a call after one that failed setting up the defaults (the brand item already written) completes
    them. Defaults are written only while the brand is not marked `defaults_at`, so once set up a
    default the brand deleted is not brought back."""
    settings = {
        "time_zone": time_zone,
        "default_country": default_country,
        "language": language,
        "business_hours": DEFAULT_BUSINESS_HOURS,
    }
    created = build(tenant_id, "brand.created", entity_type="brand", entity_id=tenant_id, data={"name": name})
    try:
        item, fresh = store.create_brand(tenant_id, name, settings, events=[created]), True
    except ConditionFailed:
        found = store.find_brand(tenant_id, consistent=True)
        if found is None:  # cannot be (it was just refused as existing), unless deleted meanwhile
            raise
        item, fresh = found, False
    if item.defaults_at is None:
        close_reasons.ensure_defaults(tenant_id)  # each default put if absent: nothing twice
        store.mark_defaults_done(item)
    return _out(item), fresh


def update_brand(caller: Caller, changes: BrandSettingsIn) -> BrandOut:
    item = _load(caller.tenant_id)
    patch: dict[str, Any] = changes.model_dump(mode="json", exclude_unset=True)
    if not patch:
        return _out(item)
    if patch.get("logo_url"):
        from skailan.platform.media_refs import check_url

        check_url(caller.tenant_id, patch["logo_url"], field="logo_url")  # never another brand's stored file
    if "name" in patch:
        item.name = patch.pop("name")
    # Merged into what is stored (business hours day by day), validated whole, then written.
    current = stored_settings(item).model_dump(mode="json")
    merged = deep_merge(current, patch)
    try:
        settings = BrandSettings.model_validate(merged)
        known_country(settings.default_country)  # the stored one too: a bad value is not kept
    except ValueError as err:
        if not isinstance(err, ValidationError):
            raise Unprocessable(
                "El país predeterminado no existe. / The default country does not exist.",
                details=[{"field": "default_country", "error": str(err), "type": "value_error"}],
            ) from err
        raise Unprocessable(
            "La configuración resultante no es válida. / The resulting settings are not valid.",
            details=[{"field": ".".join(str(p) for p in e["loc"]), "error": e["msg"], "type": e["type"]}
                     for e in err.errors()],
        ) from err
    item.settings = settings.model_dump(mode="json", exclude_none=True)
    item.updated_at = iso()
    updated = build(caller.tenant_id, "brand.updated", caller=caller, entity_type="brand",
                    entity_id=caller.tenant_id, data={"changed": sorted(changes.model_dump(exclude_unset=True))})
    try:
        store.save_brand(item, events=[updated])  # version-checked: a concurrent edit fails instead of being lost
    except ConditionFailed as err:
        raise Conflict(
            "La marca cambió mientras la editabas; vuelve a intentarlo. / "
            "The brand changed while you edited it; try again.",
            code="concurrent_update",
        ) from err
    return _out(item)
