"""Twilio Programmable Messaging webhooks → canonical events.

Two kinds arrive on the same per-account URL: incoming messages (MessageSid, From, To, Body,
NumMedia, MediaUrl{N}, MediaContentType{N}, ProfileName…) and status callbacks for what we
sent (MessageSid, MessageStatus, ErrorCode, ErrorMessage). Twilio sends no event time, so
the receipt time stands in for it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from skailan.channels.events import location, media_type_for_mime, reply_content
from skailan.channels.models import (
    DeliveryStatus,
    ErrorDetail,
    InboundEvent,
    InboundMedia,
    InboundMessage,
    InboundStatus,
    Sender,
)
from skailan.channels.payload import Node, build
from skailan.channels.reasons import reason_for
from skailan.channels.twilio.form import FormInput, form_dict
from skailan.platform.clock import utcnow

_STATUSES: dict[str, DeliveryStatus] = {
    "accepted": "pending",
    "scheduled": "pending",
    "queued": "pending",
    "sending": "pending",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}
_INBOUND_STATUSES = {"received", "receiving"}
_MAX_MEDIA = 50  # Twilio allows 10 per MMS; anything far above is a forged or broken form


def parse(body: FormInput, *, received_at: datetime | None = None) -> list[InboundEvent]:
    form = form_dict(body)
    node = Node(form, "$form")
    received_at = received_at or utcnow()
    status = form.get("MessageStatus")
    if status is not None and status not in _INBOUND_STATUSES:
        return [_status(node, form, status, received_at)]
    return list(_messages(node, form, received_at))


def _message_sid(node: Node) -> str:
    sid = node.string("MessageSid") or node.string("SmsMessageSid") or node.string("SmsSid")
    if not sid:
        raise node.fail("missing", "MessageSid")
    return sid


def _messages(node: Node, form: dict[str, str], received_at: datetime) -> list[InboundMessage]:
    sid = _message_sid(node)
    sender_id = node.req_string("From")
    common: dict[str, Any] = {
        "channel": "sms",
        "sender": Sender(external_id=sender_id, phone=sender_id, display_name=node.string("ProfileName")),
        "recipient_id": node.string("To"),
        "timestamp": received_at,
        "reply_to_provider_id": node.string("OriginalRepliedMessageSid"),
        "raw": dict(form),
    }
    body = form.get("Body")
    media = _media(node, form)
    if not media:
        return [
            build(node.path, InboundMessage, **common, provider_message_id=sid, **_text_content(node, body))
        ]
    # One canonical message per attachment: the first keeps the sid and the body.
    return [
        build(
            node.path,
            InboundMessage,
            **common,
            provider_message_id=sid if index == 0 else f"{sid}#{index}",
            type=media_type_for_mime(item.mime_type),
            text=body if index == 0 else None,
            media=item,
        )
        for index, item in enumerate(media)
    ]


def _text_content(node: Node, body: str | None) -> dict[str, Any]:
    # WhatsApp through Twilio adds locations and quick-reply buttons to the same webhook.
    if node.number("Latitude") is not None and node.number("Longitude") is not None:
        place = location(node, "Latitude", "Longitude", name=node.string("Label"), address=node.string("Address"))
        return {"type": "location", "location": place}
    if node.has("ButtonPayload") or node.has("ButtonText"):
        return reply_content("button", node.string("ButtonPayload"), node.string("ButtonText") or body)
    return {"type": "text", "text": body or ""}


def _media(node: Node, form: dict[str, str]) -> list[InboundMedia]:
    count = node.integer("NumMedia") or 0
    if not 0 <= count <= _MAX_MEDIA:
        raise node.fail(f"NumMedia out of range: {count}", "NumMedia")
    items = []
    for index in range(count):
        url = form.get(f"MediaUrl{index}")
        if not url:
            raise node.fail(f"NumMedia is {count} but MediaUrl{index} is missing", f"MediaUrl{index}")
        items.append(
            InboundMedia(
                url=url,
                mime_type=form.get(f"MediaContentType{index}"),
                # the media SID is the last path segment of its URL
                provider_media_id=url.rstrip("/").rsplit("/", 1)[-1] or None,
            )
        )
    return items


def _status(node: Node, form: dict[str, str], status: str, received_at: datetime) -> InboundStatus:
    code = node.string("ErrorCode")
    error = None
    if code or node.has("ErrorMessage"):
        known = reason_for("twilio", code) if code else None
        error = ErrorDetail(
            code=code, title=known.title if known else None, message=node.string("ErrorMessage")
        )
    return build(
        node.path,
        InboundStatus,
        channel="sms",
        provider_message_id=_message_sid(node),
        status=_STATUSES.get(status, "other"),
        provider_status=status,
        timestamp=_dlr_done_date(form.get("RawDlrDoneDate")) or received_at,
        recipient_id=node.string("To"),
        error=error,
        raw=dict(form),
    )


def _dlr_done_date(value: str | None) -> datetime | None:
    """The carrier's delivery time, YYMMDDhhmm in UTC, sent with some `delivered` callbacks."""
    if not value or len(value) != 10 or not value.isdigit():
        return None
    try:
        return datetime.strptime(value, "%y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError:
        return None
