"""Stored items → API responses (explicit mapping: items never leave the context as they are)."""

from __future__ import annotations

from typing import Any, Literal, cast

from skailan.conversations.domain.policy import WINDOW
from skailan.conversations.models import (
    AuthorOut,
    ContactOut,
    ConversationOut,
    ConversationStatus,
    ErrorOut,
    LastMessageOut,
    MediaOut,
    MessageOut,
)
from skailan.conversations.store.items import ConversationItem, MessageItem
from skailan.platform.clock import iso, parse_iso


def conversation_out(item: ConversationItem) -> ConversationOut:
    contact = dict(item.contact or {})
    contact.setdefault("person_id", item.person_id)
    window = None
    if item.channel == "whatsapp" and item.last_customer_message_at:
        window = iso(parse_iso(item.last_customer_message_at) + WINDOW)
    return ConversationOut(
        id=item.conversation_id, channel=item.channel, account_id=item.account_id, status=cast(ConversationStatus, item.status),
        contact=ContactOut.model_validate(contact),
        last_message=LastMessageOut.model_validate(item.last_message) if item.last_message else None,
        last_activity_at=item.last_activity_at, last_customer_message_at=item.last_customer_message_at,
        last_agent_message_at=item.last_agent_message_at, reply_window_expires_at=window,
        unread_count=int(item.unread_count or 0), message_count=int(item.message_count or 0),
        subject=(item.email_thread or {}).get("subject"), created_at=item.created_at,
    )


def _media(media: dict[str, Any] | None) -> MediaOut | None:
    if not media:
        return None
    url = None
    if media.get("key"):
        from skailan.conversations.ingest.media import signed_url

        url = signed_url(media["key"])
    status: Any = media.get("status") or ("stored" if url else "unavailable" if media.get("error") else None)
    return MediaOut(url=url, mime_type=media.get("mime_type"), filename=media.get("filename"),
                    size=media.get("size"), caption=media.get("caption"), error=media.get("error"), status=status)


def _attachments(attachments: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    out = []
    for attachment in attachments or []:
        entry = {k: v for k, v in attachment.items() if k != "key"}
        if attachment.get("key"):
            from skailan.conversations.ingest.media import signed_url

            entry["url"] = signed_url(attachment["key"])
        out.append(entry)
    return out


def _monotonic(times: dict[str, str]) -> None:
    """sent ≤ delivered ≤ read as shown (messages stored before the store clamped them)."""
    from skailan.platform.clock import parse_iso

    floor: str | None = None
    for name in ("sent", "delivered", "read"):
        value = times.get(name)
        if value is None:
            continue
        if floor is not None and parse_iso(value) < parse_iso(floor):
            times[name] = floor
        else:
            floor = value


def message_out(item: MessageItem) -> MessageOut:
    times = {name: value for name in ("sent", "delivered", "read", "failed")
             if (value := getattr(item, f"{name}_at", None))}
    _monotonic(times)
    return MessageOut(
        id=item.message_id, conversation_id=item.conversation_id, direction=cast(Literal["in", "out"], item.direction), type=item.type,
        text=item.text, status=item.status, provider_message_id=item.provider_message_id,
        author=AuthorOut.model_validate(item.author or {"kind": "system"}), timestamp=item.timestamp,
        media=_media(item.media), attachments=_attachments(item.attachments), details=item.details or {},
        reply_to_provider_id=item.reply_to_provider_id,
        error=ErrorOut.model_validate(item.error) if item.error else None, status_times=times,
        edited_at=item.edited,
    )
