"""WhatsApp Cloud API sends: POST {graph}/{phone_number_id}/messages with a bearer token.

Media go by public link (`link`), templates with their language code and components, replies
with `context.message_id`. The response's messages[0].id is the wamid statuses will refer to.
"""

from __future__ import annotations

from typing import Any

import httpx

from skailan.channels.errors import SendFailure
from skailan.channels.meta.graph import DEFAULT_GRAPH_URL, bearer, graph_failure
from skailan.channels.models import OutboundMessage, OutboundTemplate
from skailan.channels.sending import (
    DEFAULT_TIMEOUT,
    HttpSender,
    MediaPart,
    Part,
    SendLimits,
    TemplatePart,
    TextPart,
    json_body,
    local_failure,
)


class WhatsAppSender(HttpSender):
    provider = "whatsapp"
    channel = "whatsapp"
    limits = SendLimits(
        max_text=4096,
        max_caption=1024,
        max_attachments=5,
        types=frozenset({"text", "image", "video", "audio", "document", "template"}),
        captioned=frozenset({"image", "video", "document"}),  # audio takes no caption
    )

    def __init__(
        self,
        client: httpx.Client,
        *,
        phone_number_id: str,
        access_token: str,
        base_url: str = DEFAULT_GRAPH_URL,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        allow_http_media: bool = False,
    ) -> None:
        super().__init__(client, timeout=timeout, allow_http_media=allow_http_media)
        self.url = f"{base_url.rstrip('/')}/{phone_number_id}/messages"
        self.access_token = access_token

    def _send_part(self, message: OutboundMessage, part: Part, *, reply_to: str | None) -> str:
        body: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.to,
        }
        body |= _content(part, preview_url=message.preview_url)
        if reply_to:
            body["context"] = {"message_id": reply_to}
        response = self._request("POST", self.url, json=body, headers=bearer(self.access_token))
        messages = json_body(response).get("messages")
        wamid = (
            messages[0].get("id")
            if isinstance(messages, list) and messages and isinstance(messages[0], dict)
            else None
        )
        if not isinstance(wamid, str) or not wamid:
            raise local_failure("invalid_response", response.text[:200])
        return wamid

    def _failure(self, response: httpx.Response) -> SendFailure:
        return graph_failure(response, provider="whatsapp")


def _content(part: Part, *, preview_url: bool) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"type": "text", "text": {"preview_url": preview_url, "body": part.text}}
    if isinstance(part, MediaPart):
        media: dict[str, Any] = {"link": part.media.url}
        if part.caption:
            media["caption"] = part.caption
        if part.kind == "document" and part.media.filename:
            media["filename"] = part.media.filename
        return {"type": part.kind, part.kind: media}
    assert isinstance(part, TemplatePart)
    return {"type": "template", "template": template_payload(part.template)}


def template_payload(template: OutboundTemplate) -> dict[str, Any]:
    """An approved template with its header, body ({{1}}, {{2}}…) and button parameters."""
    components: list[dict[str, Any]] = []
    if template.header_media is not None:
        kind = template.header_media_type or "image"
        components.append(
            {"type": "header", "parameters": [{"type": kind, kind: {"link": template.header_media.url}}]}
        )
    elif template.header_parameters:
        components.append(
            {
                "type": "header",
                "parameters": [{"type": "text", "text": value} for value in template.header_parameters],
            }
        )
    if template.parameters:
        components.append(
            {"type": "body", "parameters": [{"type": "text", "text": value} for value in template.parameters]}
        )
    for button in template.buttons:
        parameter = (
            {"type": "payload", "payload": button.parameter}
            if button.sub_type == "quick_reply"
            else {"type": "text", "text": button.parameter}
        )
        components.append(
            {
                "type": "button",
                "sub_type": button.sub_type,
                "index": str(button.index),
                "parameters": [parameter],
            }
        )
    payload: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
    if components:
        payload["components"] = components
    return payload
