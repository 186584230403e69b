"""Messenger (`object: page`) and Instagram (`object: instagram`) webhooks → canonical events.

Both use the Messenger Platform shape: entry[].id is the page id / Instagram account id (the
routing key) and entry[].messaging[] (or standby[] under handover) holds events with
sender.id, recipient.id, timestamp in milliseconds and one of message, delivery, read,
reaction or postback. Echoes of the business's own sends (`message.is_echo`) become
`InboundEcho`s. entry[].changes[] (comments, mentions) and any other event are kept as
`unsupported` messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from skailan.channels.errors import PayloadError
from skailan.channels.events import location, reply_content, unsupported
from skailan.channels.models import (
    Channel,
    InboundEcho,
    InboundEvent,
    InboundMedia,
    InboundMessage,
    InboundStatus,
    Reaction,
    Sender,
)
from skailan.channels.payload import Node, build, load_json, raw_dict, synthetic_id
from skailan.platform.clock import utcnow

_OBJECTS: dict[str, Channel] = {"page": "messenger", "instagram": "instagram"}
_MEDIA_ATTACHMENTS = {"image": "image", "video": "video", "audio": "audio", "file": "document"}


@dataclass(frozen=True, slots=True)
class _Event:
    """One messaging[] item with what every event built from it shares."""

    node: Node
    channel: Channel
    account_ref: str
    timestamp: datetime
    sender_id: str | None
    recipient_id: str | None

    def common(self) -> dict[str, Any]:
        return {"channel": self.channel, "account_ref": self.account_ref, "raw": raw_dict(self.node)}


def parse(
    payload: bytes | str | Mapping[str, Any], *, received_at: datetime | None = None
) -> list[InboundEvent]:
    root = Node(load_json(payload))
    obj = root.string("object")
    if obj not in _OBJECTS:
        raise PayloadError("expected object 'page' or 'instagram'", path="$.object")
    channel = _OBJECTS[obj]
    received_at = received_at or utcnow()
    events: list[InboundEvent] = []
    for entry in root.require_items("entry"):
        account_ref = entry.req_string("id")
        entry_time = entry.opt_time("time", unit="auto") or received_at
        items = entry.items("messaging") + entry.items("standby")
        for item in items:
            events.extend(_messaging(item, channel, account_ref, entry_time))
        for change in entry.items("changes"):
            events.append(
                unsupported(
                    change,
                    channel=channel,
                    account_ref=account_ref,
                    timestamp=entry_time,
                    text=f"{channel} webhook field {change.string('field')!r}",
                )
            )
        if not items and not entry.has("changes"):
            events.append(unsupported(entry, channel=channel, account_ref=account_ref, timestamp=entry_time))
    return events


def _messaging(node: Node, channel: Channel, account_ref: str, entry_time: datetime) -> list[InboundEvent]:
    sender = node.child("sender")
    event = _Event(
        node=node,
        channel=channel,
        account_ref=account_ref,
        # Delivery receipts may omit `timestamp`; their watermark is then the best time we have.
        timestamp=node.opt_time("timestamp", unit="ms")
        or node.child("delivery").opt_time("watermark", unit="ms")
        or entry_time,
        sender_id=sender.string("id") or sender.string("user_ref"),
        recipient_id=node.child("recipient").string("id"),
    )
    if node.has("message"):
        return _message(event, node.child("message"))
    if node.has("delivery"):
        return _delivery(event, node.child("delivery"))
    if node.has("read"):
        return [_read(event, node.child("read"))]
    if node.has("reaction"):
        return [_reaction(event, node.child("reaction"))]
    if node.has("postback"):
        return [_postback(event, node.child("postback"))]
    return [_unsupported(event, node)]


# --------------------------------------------------------------------------- messages


def _message(event: _Event, message: Node) -> list[InboundEvent]:
    mid = message.req_string("mid")
    if message.flag("is_echo"):
        # The page is the sender of an echo; the customer is the recipient.
        return [
            InboundEcho(
                channel=event.channel, account_ref=event.account_ref, raw=raw_dict(event.node), message=parsed
            )
            for parsed in _message_parts(event, message, mid)
        ]
    return list(_message_parts(event, message, mid))


def _message_parts(event: _Event, message: Node, mid: str) -> list[InboundMessage]:
    """A message with n attachments becomes n canonical messages (the first keeps the mid and
    the text; the others get "<mid>#<n>") because the canonical message holds one media."""
    if event.sender_id is None:
        raise event.node.fail("missing", "sender.id")
    common = event.common() | {
        "sender": Sender(external_id=event.sender_id),
        "recipient_id": event.recipient_id,
        "timestamp": event.timestamp,
        "reply_to_provider_id": message.child("reply_to").string("mid"),
    }
    text = message.string("text")
    if message.flag("is_unsupported") or message.flag("is_deleted"):
        return [unsupported(message, provider_message_id=mid, text=text, **common)]
    attachments = message.items("attachments")
    if not attachments:
        quick_reply = message.child("quick_reply").string("payload")
        if quick_reply is not None:
            return [
                build(
                    message.path,
                    InboundMessage,
                    **common,
                    provider_message_id=mid,
                    **reply_content("interactive", quick_reply, text),
                )
            ]
        return [
            build(message.path, InboundMessage, **common, provider_message_id=mid, type="text", text=text)
        ]
    parts = []
    for index, attachment in enumerate(attachments):
        part_id = mid if index == 0 else f"{mid}#{index}"
        part_text = text if index == 0 else None
        parts.append(_attachment(attachment, common, part_id, part_text))
    return parts


def _attachment(
    attachment: Node, common: dict[str, Any], provider_message_id: str, text: str | None
) -> InboundMessage:
    kind = attachment.string("type") or "unknown"
    payload = attachment.child("payload")
    url = payload.string("url") or attachment.string("url")
    fields: dict[str, Any] = common | {"provider_message_id": provider_message_id, "text": text}
    if kind in _MEDIA_ATTACHMENTS:
        # Messenger sends stickers (and the thumbs-up) as images with a sticker_id.
        message_type = (
            "sticker" if kind == "image" and payload.has("sticker_id") else _MEDIA_ATTACHMENTS[kind]
        )
        return build(
            attachment.path,
            InboundMessage,
            **fields,
            type=message_type,
            media=InboundMedia(url=url, provider_media_id=payload.string("sticker_id")),
        )
    if kind == "location":
        place = location(payload.child("coordinates"), "lat", "long", name=attachment.string("title"))
        return build(attachment.path, InboundMessage, **fields, type="location", location=place)
    if kind == "fallback":
        # A shared link: keep it readable as text.
        link_text = "\n".join(part for part in (text, attachment.string("title"), url) if part)
        return build(attachment.path, InboundMessage, **fields | {"text": link_text or None}, type="text")
    # share, story_mention, ig_reel, template…: kept with the link so an agent can open it.
    fields["text"] = text or attachment.string("title")
    return unsupported(attachment, **fields, media=InboundMedia(url=url) if url else None)


# --------------------------------------------------------------------------- receipts, reactions, postbacks


def _delivery(event: _Event, delivery: Node) -> list[InboundEvent]:
    watermark = delivery.opt_time("watermark", unit="ms")
    targets: list[str | None] = list(_string_list(delivery, "mids")) or [None]
    return [_status(event, "delivered", mid, watermark) for mid in targets]


def _read(event: _Event, read: Node) -> InboundStatus:
    # Messenger reports a watermark; Instagram (messaging_seen) names the message read.
    return _status(event, "read", read.string("mid"), read.opt_time("watermark", unit="ms"))


def _status(event: _Event, status: str, mid: str | None, watermark: datetime | None) -> InboundStatus:
    return build(
        event.node.path,
        InboundStatus,
        **event.common(),
        provider_message_id=mid,
        status=status,
        provider_status=status,
        timestamp=event.timestamp,
        recipient_id=event.sender_id,  # the customer who received our message
        watermark=watermark,
    )


def _reaction(event: _Event, reaction: Node) -> InboundMessage:
    if event.sender_id is None:
        return _unsupported(event, reaction)
    removed = reaction.string("action") == "unreact"
    return build(
        reaction.path,
        InboundMessage,
        **event.common(),
        # Reactions have no id of their own; one derived from the event deduplicates redeliveries.
        provider_message_id=synthetic_id(f"{event.channel}-reaction", event.node.value),
        sender=Sender(external_id=event.sender_id),
        recipient_id=event.recipient_id,
        timestamp=event.timestamp,
        type="reaction",
        reaction=Reaction(
            emoji=None if removed else (reaction.string("emoji") or reaction.string("reaction")),
            message_id=reaction.string("mid"),
        ),
    )


def _postback(event: _Event, postback: Node) -> InboundMessage:
    if event.sender_id is None:
        return _unsupported(event, postback)
    return build(
        postback.path,
        InboundMessage,
        **event.common(),
        provider_message_id=postback.string("mid")
        or synthetic_id(f"{event.channel}-postback", event.node.value),
        sender=Sender(external_id=event.sender_id),
        recipient_id=event.recipient_id,
        timestamp=event.timestamp,
        **reply_content("interactive", postback.string("payload"), postback.string("title")),
    )


def _unsupported(event: _Event, node: Node) -> InboundMessage:
    return unsupported(
        event.node,
        channel=event.channel,
        account_ref=event.account_ref,
        timestamp=event.timestamp,
        sender=Sender(external_id=event.sender_id) if event.sender_id else None,
        recipient_id=event.recipient_id,
    )


def _string_list(node: Node, key: str) -> list[str]:
    values = []
    for item in node.items(key):
        if not isinstance(item.value, str):
            raise item.fail("expected a string")
        values.append(item.value)
    return values
