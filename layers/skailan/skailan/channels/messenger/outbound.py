"""Messenger and Instagram sends through the Send API: POST {graph}/{page_id}/messages.

Replies inside the 24-hour window use messaging_type RESPONSE. Attachments go by URL, one
per request; Messenger attachments take no caption, so text goes as its own message.
"""

from __future__ import annotations

from typing import Any

import httpx

from skailan.channels.errors import SendFailure
from skailan.channels.meta.graph import DEFAULT_GRAPH_URL, bearer, graph_failure
from skailan.channels.models import Channel, OutboundMessage, OutboundType
from skailan.channels.sending import (
    DEFAULT_TIMEOUT,
    HttpSender,
    MediaPart,
    Part,
    SendLimits,
    TextPart,
    json_body,
    local_failure,
)

_ATTACHMENT_TYPES = {"image": "image", "video": "video", "audio": "audio", "document": "file"}
_MEDIA: frozenset[OutboundType] = frozenset({"text", "image", "video", "audio", "document"})


class MessengerSender(HttpSender):
    provider = "meta"
    channel: Channel = "messenger"
    limits = SendLimits(max_text=2000, max_attachments=5, types=_MEDIA, captioned=frozenset())

    def __init__(
        self,
        client: httpx.Client,
        *,
        page_id: str,
        access_token: str,
        base_url: str = DEFAULT_GRAPH_URL,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        allow_http_media: bool = False,
    ) -> None:
        super().__init__(client, timeout=timeout, allow_http_media=allow_http_media)
        self.url = f"{base_url.rstrip('/')}/{page_id}/messages"
        self.access_token = access_token

    def _send_part(self, message: OutboundMessage, part: Part, *, reply_to: str | None) -> str:
        # The Send API has no reply threading: `reply_to` is not sent.
        body: dict[str, Any] = {
            "recipient": {"id": message.to},
            "messaging_type": "RESPONSE",
            "message": _message(part),
        }
        response = self._request("POST", self.url, json=body, headers=bearer(self.access_token))
        mid = json_body(response).get("message_id")
        if not isinstance(mid, str) or not mid:
            raise local_failure("invalid_response", response.text[:200])
        return mid

    def _failure(self, response: httpx.Response) -> SendFailure:
        return graph_failure(response, provider="meta")


class InstagramSender(MessengerSender):
    """Instagram messaging through the Instagram account's Facebook page."""

    channel = "instagram"
    limits = SendLimits(max_text=1000, max_attachments=5, types=_MEDIA, captioned=frozenset())


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
