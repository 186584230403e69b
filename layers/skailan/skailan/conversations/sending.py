"""Sending a stored outbound message on its channel: one base class with the checks every
channel shares (is it outgoing, is the WhatsApp window open or is it a template), one small
subclass per provider that builds the channel's sender from the account's credentials.

The senders themselves (`skailan.channels.*`) speak the providers' HTTP APIs; their base URLs
come from settings, so stage=local reaches the fake provider.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime, timedelta
from typing import Any, ClassVar

from skailan.channels.errors import SendFailure
from skailan.channels.models import OutboundMessage, SendResult
from skailan.conversations.accounts import Account, credentials
from skailan.conversations.domain.policy import WINDOW, window_open
from skailan.conversations.reasons import OWN
from skailan.conversations.store.items import ConversationItem, MessageItem
from skailan.platform.settings import get_settings

_client: Any = None


def http_client() -> Any:
    global _client
    if _client is None:
        import httpx

        _client = httpx.Client()
    return _client


def own_failure(code: str, detail: str | None = None) -> SendFailure:
    reason = OWN[code]
    return SendFailure(permanent=True, code=code, title=reason.title, reason_es=reason.es, reason_en=reason.en,
                       provider_message=detail)


class ChannelDelivery(ABC):
    """The shared checks and the send; subclasses only say how to reach their provider."""

    channel: ClassVar[str]
    # Free-form replies only within this long of the customer's last message (else templates).
    reply_window: ClassVar[timedelta | None] = None

    def __init__(self, account: Account, conversation: ConversationItem) -> None:
        self.account = account
        self.conversation = conversation

    # ---- shared checks

    def check(self, item: MessageItem, *, now: datetime | None = None) -> None:
        if item.direction != "out":
            raise own_failure("no_recipient", "not an outgoing message")
        if not self.recipient():
            raise own_failure("no_recipient")
        if (self.reply_window is not None and item.type != "template"
                and not window_open(self.conversation.last_customer_message_at, now=now)):
            raise own_failure("window_closed", f"last customer message {self.conversation.last_customer_message_at}")

    def recipient(self) -> str:
        contact = self.conversation.contact or {}
        return str(self.conversation.reply_ref or contact.get("external_id") or "")

    def message(self, item: MessageItem) -> OutboundMessage:
        details = item.details or {}
        data: dict[str, Any] = {"channel": self.channel, "to": self.recipient(), "type": item.type,
                                "text": item.text if item.type != "template" else None,  # a template's text is Meta's
                                "attachments": [self.media(a) for a in item.attachments or []],
                                "reply_to": item.reply_to_provider_id}
        if details.get("template"):
            data["template"] = details["template"]
        return OutboundMessage.model_validate(data)

    def media(self, attachment: dict[str, Any]) -> dict[str, Any]:
        """An attachment as the provider gets it: an uploaded file (S3 key) becomes a
        short-lived GET URL answering with the declared type and name (WhatsApp, Meta, Telegram
        and Twilio fetch it; Twilio checks its Content-Type)."""
        out = {k: attachment.get(k) for k in ("url", "mime_type", "filename", "caption") if attachment.get(k)}
        key = attachment.get("key")
        if key:
            from skailan.conversations.uploads import send_url

            url = send_url(str(key), attachment.get("mime_type"), attachment.get("filename"))
            out["url"] = url
            self.uploaded[url] = str(key)
        return out

    @property
    def uploaded(self) -> dict[str, str]:
        """URL given to the provider → S3 key of the upload behind it."""
        if not hasattr(self, "_uploaded"):
            self._uploaded: dict[str, str] = {}
        return self._uploaded

    # ---- the send

    def send(self, item: MessageItem, *, skip_parts: int = 0) -> SendResult:
        self.check(item)
        message = self.message(item)
        sender = self.sender()
        if skip_parts <= 0 or not self.part_by_part:
            return sender.send(message)
        return _send_remaining(sender, message, skip_parts)

    part_by_part: ClassVar[bool] = True  # one provider request per text/attachment

    @abstractmethod
    def sender(self) -> Any:
        """The channel's sender (`skailan.channels.<provider>`), built from the account."""


def _send_remaining(sender: Any, message: OutboundMessage, skip: int) -> SendResult:
    """A retry after a partial send: the parts already delivered are not sent again."""
    from skailan.channels.sending import split_into_parts

    sender.check(message)
    sent: list[str] = []
    for part in split_into_parts(message, sender.limits)[skip:]:
        try:
            sent.append(sender._send_part(message, part, reply_to=None))
        except SendFailure as failure:
            failure.sent_provider_message_ids = list(sent)
            raise
    if not sent:
        raise own_failure("delivery_unknown", "nothing left to send")
    return SendResult(provider_message_id=sent[0], provider_message_ids=sent)


def _secret(account: Account, name: str) -> str:
    return str(credentials(account.tenant_id, account.account_id).get(name) or "")


class WhatsAppDelivery(ChannelDelivery):
    channel = "whatsapp"
    reply_window = WINDOW

    def sender(self) -> Any:
        from skailan.channels.whatsapp import WhatsAppSender

        settings = get_settings()
        return WhatsAppSender(http_client(), phone_number_id=str(self.account.external.get("phone_number_id")),
                              access_token=_secret(self.account, "access_token"), base_url=settings.graph_api_url,
                              allow_http_media=settings.is_local)


class MessengerDelivery(ChannelDelivery):
    channel = "messenger"

    def sender(self) -> Any:
        from skailan.channels.messenger import MessengerSender

        settings = get_settings()
        return MessengerSender(http_client(), page_id=str(self.account.external.get("page_id")),
                               access_token=_secret(self.account, "page_access_token"),
                               base_url=settings.graph_api_url, allow_http_media=settings.is_local)


class InstagramDelivery(ChannelDelivery):
    channel = "instagram"

    def sender(self) -> Any:
        from skailan.channels.instagram import InstagramSender

        settings = get_settings()
        page = self.account.external.get("page_id") or self.account.external.get("instagram_account_id")
        return InstagramSender(http_client(), page_id=str(page),
                               access_token=_secret(self.account, "page_access_token"),
                               base_url=settings.graph_api_url, allow_http_media=settings.is_local)


class TelegramDelivery(ChannelDelivery):
    channel = "telegram"

    def sender(self) -> Any:
        from skailan.channels.telegram import TelegramSender

        settings = get_settings()
        return TelegramSender(http_client(), bot_token=_secret(self.account, "bot_token"),
                              base_url=settings.telegram_api_url, allow_http_media=settings.is_local)


class SmsDelivery(ChannelDelivery):
    channel = "sms"
    part_by_part = False

    def sender(self) -> Any:
        from skailan.channels.twilio import TwilioSender

        settings = get_settings()
        secrets = credentials(self.account.tenant_id, self.account.account_id)
        callback = (f"{settings.public_api_url.rstrip('/')}/webhooks/twilio/{self.account.account_id}"
                    if settings.public_api_url else None)
        return TwilioSender(http_client(), account_sid=str(secrets.get("account_sid") or ""),
                            auth_token=str(secrets.get("auth_token") or ""),
                            from_number=self.account.external.get("phone_number"),
                            messaging_service_sid=self.account.external.get("messaging_service_sid"),
                            status_callback=callback, base_url=settings.twilio_api_url,
                            allow_http_media=settings.is_local)


class EmailDelivery(ChannelDelivery):
    """SES SendRawEmail with threading headers: a reply answers the customer's last e-mail."""

    channel = "email"
    part_by_part = False

    def message(self, item: MessageItem) -> OutboundMessage:
        data = super().message(item).model_dump(mode="json")
        thread = self.conversation.email_thread or {}
        options = (item.details or {}).get("email") or {}
        subject = options.get("subject") or thread.get("subject") or ""
        if thread.get("last_message_id") and subject and not subject.lower().startswith("re:"):
            subject = f"Re: {subject}"
        data["email"] = {"subject": subject or None, "html": options.get("html"),
                         "in_reply_to": thread.get("last_message_id"), "references": thread.get("references") or [],
                         "from_name": self.account.name,
                         "cc": [c["address"] if isinstance(c, dict) else str(c) for c in options.get("cc") or []]}
        # Signature, sanitised HTML, Auto-Submitted on auto-replies (configured in conversations/inbox/mail.py).
        from skailan.conversations.signatures import decorate

        data["text"], data["email"] = decorate(item.tenant_id, item.author, data.get("text"), data["email"])
        return OutboundMessage.model_validate(data)

    def sender(self) -> Any:
        from skailan.channels.email import EmailSender

        address = str(self.account.external.get("address") or "")

        def transport(composed: Any) -> str:
            from skailan.channels.email import send_raw
            from skailan.platform.aws import client

            return send_raw(client("ses"), source=composed.from_address, recipients=composed.recipients,
                            raw=composed.raw, configuration_set=get_settings().ses_configuration_set or None)

        return EmailSender(transport=transport, from_address=address, from_name=self.account.name,
                           message_id_domain=address.rpartition("@")[2] or None,
                           load_attachment=_attachment_loader(self.uploaded), allow_http_media=get_settings().is_local)


def _attachment_loader(uploaded: dict[str, str] | None = None) -> Any:
    def load(media: Any) -> Any:
        from skailan.channels.email import AttachmentContent
        from skailan.channels.fetch import FetchPolicy, fetch_media
        from skailan.platform.errors import Retryable, SkailanError

        key = (uploaded or {}).get(media.url)
        if key:  # our own upload: read from S3, not through a URL
            from skailan.conversations.uploads import read

            return AttachmentContent(filename=media.filename or key.rsplit("/", 1)[-1],
                                     content_type=media.mime_type or "application/octet-stream", content=read(key))

        settings = get_settings()
        policy = FetchPolicy(allowed_hosts=None, local_hosts=settings.provider_local_hosts, max_bytes=10 * 1024 * 1024)
        # Before the provider call: a refused or unreachable file is the message's failure (with
        # its reason), a transient one a retry — never an exception that leaves it `sending`.
        try:
            fetched = fetch_media(http_client(), media.url, policy=policy)
        except SkailanError as err:  # unsafe URL, 4xx, too large
            raise own_failure("attachment_unavailable", f"{media.url}: {err.message}"[:300]) from err
        except Retryable as err:
            failure = own_failure("attachment_unavailable", f"{media.url}: {err}"[:300])
            failure.permanent = False
            raise failure from err
        name = media.filename or media.url.rsplit("/", 1)[-1] or "attachment"
        return AttachmentContent(filename=name, content_type=media.mime_type or fetched.content_type
                                 or "application/octet-stream", content=fetched.content)

    return load


class WebchatDelivery(ChannelDelivery):
    """The widget polls for replies: "sending" is recording it; the visitor's poll reads it."""

    channel = "webchat"
    part_by_part = False

    def send(self, item: MessageItem, *, skip_parts: int = 0) -> SendResult:
        self.check(item)
        return SendResult(provider_message_id=f"webchat-{item.message_id}")

    def sender(self) -> Any:  # pragma: no cover - no provider
        raise NotImplementedError


DELIVERIES: dict[str, type[ChannelDelivery]] = {
    cls.channel: cls
    for cls in (WhatsAppDelivery, MessengerDelivery, InstagramDelivery, TelegramDelivery, SmsDelivery,
                EmailDelivery, WebchatDelivery)
}


def delivery_for(account: Account, conversation: ConversationItem) -> ChannelDelivery:
    return DELIVERIES[conversation.channel](account, conversation)
