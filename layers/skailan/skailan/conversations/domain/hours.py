"""Business hours in the brand's time zone (pure): is the brand attending at a given instant?"""

from __future__ import annotations

from datetime import datetime

from skailan.platform.clock import zone_or_utc

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def is_open(business_hours: dict[str, list[dict[str, str]]], time_zone: str, at: datetime) -> bool:
    """`business_hours` maps weekday → [{"start": "HH:MM", "end": "HH:MM"}] in local time."""
    local = at.astimezone(zone_or_utc(time_zone))
    now = local.strftime("%H:%M")
    for span in business_hours.get(DAYS[local.weekday()], []):
        if span.get("start", "") <= now < span.get("end", ""):
            return True
    return False
