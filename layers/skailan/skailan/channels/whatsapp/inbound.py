"""WhatsApp Cloud API webhook (`object: whatsapp_business_account`) → canonical events.

Shape (Meta "messages" webhook reference): entry[].id is the WABA id; entry[].changes[] with
field "messages" carry value.metadata.phone_number_id (the routing key), value.contacts[]
(profile names), value.messages[], value.statuses[] and value.errors[]. Any other change
field (account updates…) becomes an `unsupported` message with its raw part; template status and
quality changes are left to the template registry (`whatsapp/templates.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from skailan.channels.errors import PayloadError
from skailan.channels.events import error_detail, location, reply_content, unsupported
from skailan.channels.models import (
    DeliveryStatus,
    InboundEvent,
    InboundMedia,
    InboundMessage,
    InboundProviderError,
    InboundStatus,
    Reaction,
    Sender,
    SharedContact,
)
from skailan.channels.payload import Node, build, load_json, raw_dict
from skailan.platform.clock import utcnow

_MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")
_STATUSES: dict[str, DeliveryStatus] = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
}


@dataclass(frozen=True, slots=True)
class _Account:
    """Where a change came from: every event of the change is routed by these."""

    waba_id: str | None
    phone_number_id: str | None
    names: Mapping[str, str]  # wa_id → profile name, from value.contacts[]
    received_at: datetime

    def common(self, node: Node) -> dict[str, Any]:
        """What every event built from `node` carries: the channel, the routing ids and the raw part."""
        return {"channel": "whatsapp", "account_ref": self.phone_number_id, "waba_id": self.waba_id,
                "raw": raw_dict(node)}


def parse(
    payload: bytes | str | Mapping[str, Any], *, received_at: datetime | None = None
) -> list[InboundEvent]:
    root = Node(load_json(payload))
    if root.string("object") != "whatsapp_business_account":
        raise PayloadError("expected object 'whatsapp_business_account'", path="$.object")
    received_at = received_at or utcnow()
    events: list[InboundEvent] = []
    for entry in root.require_items("entry"):
        waba_id = entry.string("id")
        for change in entry.items("changes"):
            events.extend(_change(change, waba_id, received_at))
    return events


def _change(change: Node, waba_id: str | None, received_at: datetime) -> list[InboundEvent]:
    value = change.child("value")
    metadata = value.child("metadata")
    field = change.string("field")
    if field in ("message_template_status_update", "message_template_quality_update"):
        return []  # handled by the template registry (conversations/ingest/webhooks.py, `_template_updates`), not the ingest
    if field not in {None, "messages"} or not any(
        value.has(key) for key in ("messages", "statuses", "errors")
    ):
        return [
            unsupported(
                change,
                channel="whatsapp",
                timestamp=received_at,
                account_ref=metadata.string("phone_number_id"),
                waba_id=waba_id,
                text=f"WhatsApp webhook field {field!r}",
            )
        ]
    account = _Account(
        waba_id=waba_id,
        phone_number_id=metadata.req_string("phone_number_id"),
        names=_profile_names(value),
        received_at=received_at,
    )
    events: list[InboundEvent] = [_message(node, account) for node in value.items("messages")]
    events.extend(_status(node, account) for node in value.items("statuses"))
    events.extend(_provider_error(node, account) for node in value.items("errors"))
    return events


def _profile_names(value: Node) -> dict[str, str]:
    names: dict[str, str] = {}
    for contact in value.items("contacts"):
        wa_id = contact.string("wa_id")
        name = contact.child("profile").string("name")
        if wa_id and name:
            names[wa_id] = name
    return names


# --------------------------------------------------------------------------- messages


def _message(node: Node, account: _Account) -> InboundMessage:
    sender_id = node.string("from") or node.req_string("from_user_id")
    common: dict[str, Any] = {
        **account.common(node),
        "provider_message_id": node.req_string("id"),
        "sender": Sender(
            external_id=sender_id, display_name=account.names.get(sender_id), phone=node.string("from")
        ),
        "recipient_id": account.phone_number_id,
        "timestamp": node.time("timestamp"),
        "reply_to_provider_id": node.child("context").string("id"),
        "errors": [error_detail(error) for error in node.items("errors")],
    }
    kind = node.string("type") or "unknown"
    content = _content(node, kind)
    if content is None:
        return unsupported(node, **common, text=_system_text(node))
    return build(node.path, InboundMessage, **common, **content)


def _content(node: Node, kind: str) -> dict[str, Any] | None:
    """The type-specific fields of a message, or None when the type is not representable."""
    if kind == "text":
        return {"type": "text", "text": node.child("text").string("body")}
    if kind in _MEDIA_TYPES:
        media = node.child(kind)
        caption = media.string("caption")
        return {
            "type": kind,
            "text": caption,
            "media": build(
                media.path,
                InboundMedia,
                provider_media_id=media.string("id"),
                url=media.string("url"),
                mime_type=media.string("mime_type"),
                sha256=media.string("sha256"),
                caption=caption,
                filename=media.string("filename"),
                size=media.integer("file_size"),
            ),
        }
    if kind == "location":
        place = node.child("location")
        return {"type": "location", "location": location(place, name=place.string("name"), address=place.string("address"))}
    if kind == "contacts":
        return {"type": "contacts", "contacts": [_shared_contact(card) for card in node.items("contacts")]}
    if kind == "interactive":
        return _interactive(node.child("interactive"))
    if kind == "button":
        button = node.child("button")
        return reply_content("button", button.string("payload"), button.string("text"))
    if kind == "reaction":
        reaction = node.child("reaction")
        return {
            "type": "reaction",
            # An empty emoji is how WhatsApp reports a removed reaction.
            "reaction": Reaction(
                emoji=reaction.string("emoji") or None, message_id=reaction.string("message_id")
            ),
        }
    return None


def _interactive(interactive: Node) -> dict[str, Any] | None:
    reply_type = interactive.string("type")
    if reply_type in {"button_reply", "list_reply"}:
        reply = interactive.child(reply_type)
        return reply_content("interactive", reply.string("id"), reply.string("title"))
    if reply_type == "nfm_reply":  # a WhatsApp Flow's answer; its JSON stays in raw
        reply = interactive.child("nfm_reply")
        return reply_content("interactive", reply.string("name"), reply.string("body"))
    return None


def _shared_contact(card: Node) -> SharedContact:
    phones = card.items("phones")
    return SharedContact(
        name=card.child("name").string("formatted_name"),
        phones=[phone for node in phones if (phone := node.string("phone"))],
        emails=[email for node in card.items("emails") if (email := node.string("email"))],
        external_id=next((wa_id for node in phones if (wa_id := node.string("wa_id"))), None),
        raw=raw_dict(card),
    )


def _system_text(node: Node) -> str | None:
    # `system` messages (the customer changed number) explain themselves in system.body.
    return node.child("system").string("body") if node.string("type") == "system" else None


# --------------------------------------------------------------------------- statuses, errors


def _status(node: Node, account: _Account) -> InboundStatus:
    provider_status = node.req_string("status")
    errors = node.items("errors")
    return build(
        node.path,
        InboundStatus,
        **account.common(node),
        provider_message_id=node.req_string("id"),
        status=_STATUSES.get(provider_status, "other"),
        provider_status=provider_status,
        timestamp=node.time("timestamp"),
        recipient_id=node.string("recipient_id"),
        error=error_detail(errors[0]) if errors else None,
    )


def _provider_error(node: Node, account: _Account) -> InboundProviderError:
    return build(
        node.path,
        InboundProviderError,
        **account.common(node),
        timestamp=account.received_at,
        error=error_detail(node),
    )
