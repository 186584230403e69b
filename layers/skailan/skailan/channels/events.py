"""Small builders shared by the inbound parsers, so no provider re-implements them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from skailan.channels.models import Channel, ErrorDetail, InboundMessage, InteractiveReply, Location, Sender
from skailan.channels.payload import Node, build, raw_dict, synthetic_id
from skailan.platform.clock import utcnow


def media_type_for_mime(mime_type: str | None) -> str:
    """The canonical message type for a MIME type: image/video/audio, anything else a document."""
    major = (mime_type or "").split("/", 1)[0].lower()
    return major if major in {"image", "video", "audio"} else "document"


def reply_content(kind: str, reply_id: str | None, title: str | None) -> dict[str, Any]:
    """A tapped button or list row as message fields: the label is both its text and its title."""
    return {"type": kind, "text": title, "interactive": InteractiveReply(id=reply_id, title=title)}


def location(node: Node, latitude: str = "latitude", longitude: str = "longitude", *, name: str | None = None,
             address: str | None = None) -> Location:
    """A shared location from the coordinates in `node` (under the provider's own names); a
    location without both is refused."""
    lat, long = node.number(latitude), node.number(longitude)
    if lat is None or long is None:
        raise node.fail(f"location needs {latitude} and {longitude}")
    return build(node.path, Location, latitude=lat, longitude=long, name=name, address=address)


def error_detail(node: Node) -> ErrorDetail:
    """A provider error object in the common {code, title, message, error_data.details} shape."""
    return build(
        node.path,
        ErrorDetail,
        code=node.string("code"),
        title=node.string("title"),
        message=node.string("message"),
        details=node.child("error_data").string("details"),
    )


def unsupported(
    node: Node,
    *,
    channel: Channel,
    timestamp: datetime | None,
    account_ref: str | None = None,
    waba_id: str | None = None,
    provider_message_id: str | None = None,
    sender: Sender | None = None,
    text: str | None = None,
    errors: Iterable[ErrorDetail] = (),
    **extra: Any,
) -> InboundMessage:
    """A payload part we cannot represent: kept whole in `raw`, never dropped.

    Parts without their own id get a stable synthetic one so a redelivery deduplicates;
    parts without their own time get the time we received them.
    """
    return build(
        node.path,
        InboundMessage,
        channel=channel,
        account_ref=account_ref,
        waba_id=waba_id,
        provider_message_id=provider_message_id or synthetic_id(f"{channel}-unsupported", node.value),
        sender=sender,
        timestamp=timestamp or utcnow(),
        type="unsupported",
        text=text,
        errors=list(errors),
        **({"raw": raw_dict(node)} | extra),
    )
