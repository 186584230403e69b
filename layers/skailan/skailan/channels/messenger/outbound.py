"""Messenger and Instagram sends through the Send API: POST {graph}/{page_id}/messages.

Replies inside the 24-hour window use messaging_type RESPONSE. Attachments go by URL, one
per request; Messenger attachments take no caption, so text goes as its own message.
"""

from __future__ import annotations

from typing import Any, Unpack

import httpx

from skailan.channels.meta.graph import GraphSender
from skailan.channels.models import Channel, OutboundMessage
from skailan.channels.sending import (
    TEXT_AND_MEDIA,
    HttpOptions,
    MediaPart,
    Part,
    SendLimits,
    TextPart,
    provider_id,
)

_ATTACHMENT_TYPES = {"image": "image", "video": "video", "audio": "audio", "document": "file"}


class MessengerSender(GraphSender):
    provider = "meta"
    channel: Channel = "messenger"
    limits = SendLimits(max_text=2000, max_attachments=5, types=TEXT_AND_MEDIA, captioned=frozenset())

    def __init__(
        self, client: httpx.Client, *, page_id: str, access_token: str, **options: Unpack[HttpOptions]
    ) -> None:
        super().__init__(client, node_id=page_id, access_token=access_token, **options)

    def _send_part(self, message: OutboundMessage, part: Part, *, reply_to: str | None) -> str:
        # The Send API has no reply threading: `reply_to` is not sent.
        body: dict[str, Any] = {
            "recipient": {"id": message.to},
            "messaging_type": "RESPONSE",
            "message": _message(part),
        }
        answer, response = self._post(body)
        return provider_id(answer.get("message_id"), response)


class InstagramSender(MessengerSender):
    """Instagram messaging through the Instagram account's Facebook page."""

    channel = "instagram"
    limits = SendLimits(max_text=1000, max_attachments=5, types=TEXT_AND_MEDIA, captioned=frozenset())


def _message(part: Part) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"text": part.text}
    assert isinstance(part, MediaPart)
    return {
        "attachment": {
            "type": _ATTACHMENT_TYPES[part.kind],
            "payload": {"url": part.media.url, "is_reusable": True},
        }
    }
