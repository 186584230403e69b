"""Business hours in the brand's time zone (pure): is the brand attending at a given instant?"""

from __future__ import annotations

import zoneinfo
from datetime import datetime

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def is_open(business_hours: dict[str, list[dict[str, str]]], time_zone: str, at: datetime) -> bool:
    """`business_hours` maps weekday → [{"start": "HH:MM", "end": "HH:MM"}] in local time."""
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = at.astimezone(zone)
    now = local.strftime("%H:%M")
    for span in business_hours.get(DAYS[local.weekday()], []):
        if span.get("start", "") <= now < span.get("end", ""):
            return True
    return False
