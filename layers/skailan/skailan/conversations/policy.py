"""Conversation rules shared by the send path and the views (no I/O, no heavy imports)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from skailan.platform.clock import parse_iso

# WhatsApp's customer service window: free-form replies until 24 h after the customer's last message.
WINDOW = timedelta(hours=24)
_TEXT_PREVIEW = 200


def window_open(last_customer_message_at: str | None, *, now: datetime | None = None) -> bool:
    if not last_customer_message_at:
        return False
    return (now or datetime.now(UTC)) < parse_iso(last_customer_message_at) + WINDOW


def preview(text: str | None) -> str | None:
    return text[:_TEXT_PREVIEW] if text else text


def last_message_of(item: Any) -> dict[str, Any]:
    """The conversation's `last_message` summary of a stored message."""
    return {"id": item.message_id, "direction": item.direction, "type": item.type, "text": preview(item.text),
            "status": item.status, "at": item.timestamp}
