"""WhatsApp Cloud API sends: POST {graph}/{phone_number_id}/messages with a bearer token.

Media go by public link (`link`), templates with their language code and components, replies
with `context.message_id`. The response's messages[0].id is the wamid statuses will refer to.
"""

from __future__ import annotations

from typing import Any, Unpack

import httpx

from skailan.channels.meta.graph import GraphSender
from skailan.channels.models import OutboundMessage, OutboundTemplate
from skailan.channels.sending import (
    HttpOptions,
    MediaPart,
    Part,
    SendLimits,
    TemplatePart,
    TextPart,
    provider_id,
)


class WhatsAppSender(GraphSender):
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
        self, client: httpx.Client, *, phone_number_id: str, access_token: str, **options: Unpack[HttpOptions]
    ) -> None:
        super().__init__(client, node_id=phone_number_id, access_token=access_token, **options)

    def _send_part(self, message: OutboundMessage, part: Part, *, reply_to: str | None) -> str:
        body: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.to,
        }
        body |= _content(part, preview_url=message.preview_url)
        if reply_to:
            body["context"] = {"message_id": reply_to}
        answer, response = self._post(body)
        messages = answer.get("messages")
        wamid = (
            messages[0].get("id")
            if isinstance(messages, list) and messages and isinstance(messages[0], dict)
            else None
        )
        return provider_id(wamid, response)


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
