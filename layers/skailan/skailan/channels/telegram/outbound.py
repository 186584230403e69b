"""Telegram Bot API sends: sendMessage, sendPhoto, sendVideo, sendAudio, sendDocument.

Files go by URL (Telegram downloads them), replies with reply_parameters. The result's
message_id becomes "<chat_id>:<message_id>", the same id the parser gives inbound messages.
"""

from __future__ import annotations

from typing import Any, Unpack

import httpx

from skailan.channels.errors import SendFailure
from skailan.channels.models import OutboundMessage
from skailan.channels.sending import (
    TEXT_AND_MEDIA,
    HttpOptions,
    HttpSender,
    MediaPart,
    Part,
    SendLimits,
    TextPart,
    classify,
    json_body,
    local_failure,
)
from skailan.channels.telegram.inbound import message_ref

DEFAULT_TELEGRAM_URL = "https://api.telegram.org"
_METHODS = {
    "image": ("sendPhoto", "photo"),
    "video": ("sendVideo", "video"),
    "audio": ("sendAudio", "audio"),
    "document": ("sendDocument", "document"),
}


class TelegramSender(HttpSender):
    provider = "telegram"
    channel = "telegram"
    default_base_url = DEFAULT_TELEGRAM_URL
    limits = SendLimits(
        max_text=4096,
        max_caption=1024,
        max_attachments=10,
        types=TEXT_AND_MEDIA,
        captioned=frozenset({"image", "video", "audio", "document"}),
    )

    def __init__(self, client: httpx.Client, *, bot_token: str, **options: Unpack[HttpOptions]) -> None:
        super().__init__(client, **options)
        # The token is part of the path: keep httpx's INFO request log off in production.
        self.base = f"{self.base_url}/bot{bot_token}"

    def _send_part(self, message: OutboundMessage, part: Part, *, reply_to: str | None) -> str:
        body: dict[str, Any] = {"chat_id": message.to}
        if isinstance(part, TextPart):
            method = "sendMessage"
            body["text"] = part.text
        else:
            assert isinstance(part, MediaPart)
            method, field = _METHODS[part.kind]
            body[field] = part.media.url
            if part.caption:
                body["caption"] = part.caption
        reply = _reply_parameters(reply_to, message.to)
        if reply:
            body["reply_parameters"] = reply
        response = self._request("POST", f"{self.base}/{method}", json=body)
        result = json_body(response).get("result")
        result = result if isinstance(result, dict) else {}
        chat = result.get("chat")
        chat_id = chat.get("id") if isinstance(chat, dict) else None
        message_id = result.get("message_id")
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            raise local_failure("invalid_response", response.text[:200])
        return message_ref(chat_id if chat_id is not None else message.to, message_id)

    def _failure(self, response: httpx.Response) -> SendFailure:
        # {"ok": false, "error_code": 429, "description": "...", "parameters": {"retry_after": 5}}
        body = json_body(response)
        parameters = body.get("parameters")
        retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
        error_code = body.get("error_code")
        return classify(
            response,
            provider="telegram",
            code=str(error_code) if isinstance(error_code, int) else None,
            provider_message=body.get("description") if isinstance(body.get("description"), str) else None,
            retry_after=float(retry_after)
            if isinstance(retry_after, int | float) and not isinstance(retry_after, bool)
            else None,
        )


def _reply_parameters(reply_to: str | None, chat_id: str) -> dict[str, Any] | None:
    """reply_parameters for a canonical "<chat_id>:<message_id>" id; other ids are not replies."""
    if not reply_to:
        return None
    reply_chat, _, reply_message = reply_to.rpartition(":")
    if not reply_message.isdigit():
        return None
    parameters: dict[str, Any] = {"message_id": int(reply_message), "allow_sending_without_reply": True}
    if reply_chat and reply_chat != chat_id:
        parameters["chat_id"] = reply_chat
    return parameters
