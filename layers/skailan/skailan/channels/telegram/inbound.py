"""Telegram Bot API `Update` → canonical events.

Handled: message, edited_message, channel_post, edited_channel_post (and their business_*
twins), callback_query (an inline button press) and message_reaction. Any other update kind
is kept as an `unsupported` message.

Telegram message ids are only unique within a chat, so the canonical id is
"<chat_id>:<message_id>"; `provider_event_id` is the update_id (unique per bot).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from skailan.channels.events import location, reply_content, unsupported
from skailan.channels.models import (
    InboundEvent,
    InboundMedia,
    InboundMessage,
    Reaction,
    Sender,
    SharedContact,
)
from skailan.channels.payload import Node, build, load_json, raw_dict
from skailan.platform.clock import utcnow

_MESSAGE_KEYS = {
    "message": False,
    "channel_post": False,
    "business_message": False,
    "edited_message": True,
    "edited_channel_post": True,
    "edited_business_message": True,
}


def message_ref(chat_id: str | int, message_id: str | int) -> str:
    """The canonical provider id of a Telegram message."""
    return f"{chat_id}:{message_id}"


def parse(
    payload: bytes | str | Mapping[str, Any], *, received_at: datetime | None = None
) -> list[InboundEvent]:
    update = Node(load_json(payload))
    update_id = update.integer("update_id")
    if update_id is None:
        raise update.fail("missing", "update_id")
    received_at = received_at or utcnow()
    for key, edited in _MESSAGE_KEYS.items():
        if update.has(key):
            return [_message(update.child(key), str(update_id), edited=edited)]
    if update.has("callback_query"):
        return [_callback_query(update.child("callback_query"), str(update_id), received_at)]
    if update.has("message_reaction"):
        return [_reaction(update.child("message_reaction"), str(update_id))]
    return [
        unsupported(
            update,
            channel="telegram",
            timestamp=received_at,
            provider_message_id=f"update:{update_id}",
            provider_event_id=str(update_id),
        )
    ]


# --------------------------------------------------------------------------- people


def _user(user: Node) -> Sender:
    full_name = " ".join(part for part in (user.string("first_name"), user.string("last_name")) if part)
    return build(
        user.path,
        Sender,
        external_id=user.req_string("id"),
        display_name=full_name or None,
        username=user.string("username"),
    )


def _chat_as_sender(chat: Node) -> Sender:
    # Channel posts have no `from`: the channel itself speaks.
    return build(
        chat.path,
        Sender,
        external_id=chat.req_string("id"),
        display_name=chat.string("title"),
        username=chat.string("username"),
    )


# --------------------------------------------------------------------------- messages


def _located(node: Node) -> tuple[Node, str, int]:
    """The chat, its id and the message id every message or reaction update names."""
    chat = node.child("chat")
    message_id = node.integer("message_id")
    if message_id is None:
        raise node.fail("missing", "message_id")
    return chat, chat.req_string("id"), message_id


def _sender(node: Node, user: str, actor: str, chat: Node) -> Sender:
    """The user who acted, else the chat that acted for them (channels, anonymous admins)."""
    if node.has(user):
        return _user(node.child(user))
    return _chat_as_sender(node.child(actor) if node.has(actor) else chat)


def _message(node: Node, update_id: str, *, edited: bool) -> InboundMessage:
    chat, chat_id, message_id = _located(node)
    reply_to = node.child("reply_to_message")
    reply_to_id = reply_to.integer("message_id") if reply_to.present else None
    common: dict[str, Any] = {
        "channel": "telegram",
        "provider_message_id": message_ref(chat_id, message_id),
        "provider_event_id": update_id,
        "conversation_ref": chat_id,
        "sender": _sender(node, "from", "sender_chat", chat),
        "timestamp": node.time("edit_date") if edited and node.has("edit_date") else node.time("date"),
        "reply_to_provider_id": message_ref(chat_id, reply_to_id) if reply_to_id is not None else None,
        "edited": edited,
        "raw": raw_dict(node),
    }
    content = _content(node)
    if content is None:
        return unsupported(node, **common, text=node.string("text") or node.string("caption"))
    return build(node.path, InboundMessage, **common, **content)


def _content(node: Node) -> dict[str, Any] | None:
    caption = node.string("caption")
    if node.has("text"):
        return {"type": "text", "text": node.string("text")}
    if node.has("photo"):
        sizes = node.items("photo")
        if not sizes:
            return None
        largest = max(
            sizes,
            key=lambda size: (
                size.integer("file_size") or 0,
                (size.integer("width") or 0) * (size.integer("height") or 0),
            ),
        )
        return {"type": "image", "text": caption, "media": _media(largest, caption, mime_type="image/jpeg")}
    # `animation` comes with a `document` twin, and `venue` with a `location`: check them first.
    for key, message_type in (
        ("animation", "video"),
        ("video", "video"),
        ("video_note", "video"),
        ("voice", "audio"),
        ("audio", "audio"),
        ("document", "document"),
        ("sticker", "sticker"),
    ):
        if node.has(key):
            return {"type": message_type, "text": caption, "media": _media(node.child(key), caption)}
    if node.has("venue"):
        venue = node.child("venue")
        return {
            "type": "location",
            "location": location(venue.child("location"), name=venue.string("title"), address=venue.string("address")),
        }
    if node.has("location"):
        return {"type": "location", "location": location(node.child("location"))}
    if node.has("contact"):
        contact = node.child("contact")
        name = " ".join(part for part in (contact.string("first_name"), contact.string("last_name")) if part)
        phone = contact.string("phone_number")
        return {
            "type": "contacts",
            "contacts": [
                SharedContact(
                    name=name or None,
                    phones=[phone] if phone else [],
                    external_id=contact.string("user_id"),
                    raw=raw_dict(contact),
                )
            ],
        }
    return None


def _media(file: Node, caption: str | None, *, mime_type: str | None = None) -> InboundMedia:
    sticker_mime = None
    if file.has("is_animated") or file.has("is_video"):
        sticker_mime = (
            "application/x-tgsticker"
            if file.flag("is_animated")
            else "video/webm"
            if file.flag("is_video")
            else "image/webp"
        )
    return build(
        file.path,
        InboundMedia,
        # Download with getFile(file_id), then https://api.telegram.org/file/bot<token>/<file_path>.
        provider_media_id=file.req_string("file_id"),
        mime_type=file.string("mime_type") or sticker_mime or mime_type,
        filename=file.string("file_name"),
        caption=caption,
        size=file.integer("file_size"),
    )


# --------------------------------------------------------------------------- buttons, reactions


def _callback_query(query: Node, update_id: str, received_at: datetime) -> InboundMessage:
    message = query.child("message")
    chat_id = message.child("chat").string("id")
    message_id = message.integer("message_id")
    sender = _user(query.child("from"))
    data = query.string("data")
    label = _button_text(message, data)
    return build(
        query.path,
        InboundMessage,
        channel="telegram",
        provider_message_id=f"callback:{query.req_string('id')}",
        provider_event_id=update_id,
        conversation_ref=chat_id or sender.external_id,
        sender=sender,
        # A callback query carries no time of its own.
        timestamp=received_at,
        **reply_content("interactive", data, label),
        reply_to_provider_id=message_ref(chat_id, message_id) if chat_id and message_id is not None else None,
        raw=raw_dict(query),
    )


def _button_text(message: Node, data: str | None) -> str | None:
    """The label of the pressed button, found in the keyboard of the message it belonged to."""
    for row in message.child("reply_markup").items("inline_keyboard"):
        if not isinstance(row.value, list):
            raise row.fail("expected a list")
        for index, button in enumerate(row.value):
            cell = Node(button, f"{row.path}[{index}]")
            if data is not None and cell.string("callback_data") == data:
                return cell.string("text")
    return None


def _reaction(node: Node, update_id: str) -> InboundMessage:
    chat, chat_id, message_id = _located(node)
    new = node.items("new_reaction")
    # ReactionTypeEmoji carries `emoji`; custom and paid reactions are named by their type.
    emoji = (new[-1].string("emoji") or new[-1].string("type")) if new else None
    return build(
        node.path,
        InboundMessage,
        channel="telegram",
        provider_message_id=f"reaction:{update_id}",
        provider_event_id=update_id,
        conversation_ref=chat_id,
        sender=_sender(node, "user", "actor_chat", chat),
        timestamp=node.time("date"),
        type="reaction",
        reaction=Reaction(emoji=emoji, message_id=message_ref(chat_id, message_id)),
        raw=raw_dict(node),
    )
