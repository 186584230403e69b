"""The brand as the analytics context counts with it: time zone, business hours and holidays,
read once per batch (the worker forgets them between batches) and at most a minute per container."""

from __future__ import annotations

import time
from dataclasses import dataclass

from skailan.analytics import facts as F

HOURS_CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class Brand:
    hours: F.Hours

    @property
    def time_zone(self) -> str:
        return self.hours.time_zone


_brands: dict[str, tuple[float, Brand]] = {}


def forget_brands() -> None:
    """Read each brand afresh in the next batch: facts are counted with the hours in force when the
    event is counted, so a brand that just changed its hours must not be counted with the old ones."""
    _brands.clear()


def brand_of(tenant_id: str) -> Brand:
    """The brand's time zone, hours and holidays (read once per batch — see forget_brands — and at
    most a minute per container)."""
    cached = _brands.get(tenant_id)
    if cached and time.monotonic() - cached[0] < HOURS_CACHE_SECONDS:
        return cached[1]
    from skailan.platform.errors import NotFound
    from skailan.tenancy import brands

    try:
        out = brands.get_brand(tenant_id)
        brand = Brand(hours=F.Hours.of(out.time_zone, out.business_hours, out.holidays))
    except NotFound:  # a brand gone since: its late events still count, in UTC, no hours
        brand = Brand(hours=F.Hours.of("UTC", {}))
    _brands[tenant_id] = (time.monotonic(), brand)
    return brand
