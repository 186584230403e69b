"""Twilio Programmable Messaging sends: POST /2010-04-01/Accounts/{sid}/Messages.json.

Form fields To, From (or MessagingServiceSid), Body, one MediaUrl per attachment and
StatusCallback; HTTP basic auth with the account SID (or an API key SID) and its secret.
The whole message is one request: MMS carries the body and up to 10 media together.
"""

from __future__ import annotations

from typing import Unpack

import httpx

from skailan.channels.errors import SendFailure
from skailan.channels.models import OutboundMessage, SendResult
from skailan.channels.sending import (
    TEXT_AND_MEDIA,
    HttpOptions,
    HttpSender,
    SendLimits,
    classify,
    json_body,
    local_failure,
    provider_id,
)

DEFAULT_TWILIO_URL = "https://api.twilio.com"


class TwilioSender(HttpSender):
    provider = "twilio"
    channel = "sms"
    default_base_url = DEFAULT_TWILIO_URL
    # Body travels beside the media, not as a caption.
    limits = SendLimits(max_text=1600, max_attachments=10, types=TEXT_AND_MEDIA, captioned=frozenset())

    def __init__(
        self,
        client: httpx.Client,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        status_callback: str | None = None,
        api_key_sid: str | None = None,
        **options: Unpack[HttpOptions],
    ) -> None:
        super().__init__(client, **options)
        self.url = f"{self.base_url}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.auth = (api_key_sid or account_sid, auth_token)
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.status_callback = status_callback

    def _deliver(self, message: OutboundMessage) -> SendResult:
        form: list[tuple[str, str]] = [("To", message.to)]
        if self.messaging_service_sid:
            form.append(("MessagingServiceSid", self.messaging_service_sid))
        elif self.from_number:
            form.append(("From", self.from_number))
        else:
            raise local_failure("missing_sender", "Twilio needs a From number or a Messaging Service SID")
        if message.text:
            form.append(("Body", message.text))
        form.extend(("MediaUrl", media.url) for media in message.attachments)
        if self.status_callback:
            form.append(("StatusCallback", self.status_callback))
        response = self._request("POST", self.url, data=_multi(form), auth=self.auth)
        body = json_body(response)
        sid = provider_id(body.get("sid"), response)
        status = body.get("status")
        return SendResult(provider_message_id=sid, status=status if isinstance(status, str) else "queued")

    def _failure(self, response: httpx.Response) -> SendFailure:
        # {"code": 21211, "message": "...", "more_info": "...", "status": 400}
        body = json_body(response)
        code = body.get("code")
        message = body.get("message")
        return classify(
            response,
            provider="twilio",
            code=str(code) if isinstance(code, int | str) and not isinstance(code, bool) else None,
            provider_message=message if isinstance(message, str) else None,
        )


def _multi(pairs: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    """httpx form data: a repeated field (MediaUrl) as a list, in order."""
    form: dict[str, str | list[str]] = {}
    for name, value in pairs:
        if name in form:
            existing = form[name]
            form[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            form[name] = value
    return form
