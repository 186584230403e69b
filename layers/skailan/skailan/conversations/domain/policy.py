"""Conversation rules shared by the send path and the views (no I/O, no heavy imports)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from skailan.platform.clock import parse_iso, utcnow

# WhatsApp's customer service window: free-form replies until 24 h after the customer's last message.
WINDOW = timedelta(hours=24)
_TEXT_PREVIEW = 200


def window_open(last_customer_message_at: str | None, *, now: datetime | None = None) -> bool:
    if not last_customer_message_at:
        return False
    return (now or utcnow()) < parse_iso(last_customer_message_at) + WINDOW


# A customer's answer to a rating question: "4", "4/5", "⭐⭐⭐⭐" (1 to 5; nothing else in the text).
_RATING_NUMBER = re.compile(r"^([1-5])(?:\s*/\s*5)?\s*[.!]*$")
_STAR = "\u2b50"  # ⭐ (a variation selector or spaces may follow each star)


def parse_rating(text: str | None) -> int | None:
    """The 1–5 rating a message is, or None when it is anything else."""
    value = (text or "").strip()
    if not value or len(value) > 40:
        return None
    match = _RATING_NUMBER.match(value)
    if match:
        return int(match.group(1))
    stars = re.sub(r"[\s\ufe0f]", "", value)
    if stars and set(stars) == {_STAR} and len(stars) <= 5:
        return len(stars)
    return None


# An answer to the NPS question: "9", "9/10", "10." (0 to 10; nothing else in the text).
_NPS_NUMBER = re.compile(r"^(10|[0-9])(?:\s*/\s*10)?\s*[.!]*$")


def parse_nps(text: str | None) -> int | None:
    """The 0–10 NPS score a message is, or None when it is anything else."""
    match = _NPS_NUMBER.match((text or "").strip())
    return int(match.group(1)) if match else None


def parse_answer(text: str | None, kind: str | None) -> int | None:
    """The answer to the question a closed conversation awaits: NPS 0–10 or CSAT 1–5."""
    return parse_nps(text) if kind == "nps" else parse_rating(text)


def preview(text: str | None) -> str | None:
    return text[:_TEXT_PREVIEW] if text else text


def last_message_of(item: Any) -> dict[str, Any]:
    """The conversation's `last_message` summary of a stored message."""
    return {"id": item.message_id, "direction": item.direction, "type": item.type, "text": preview(item.text),
            "status": item.status, "at": item.timestamp}
