"""Canonical channel models: what every provider's payload becomes, and what every sender takes.

Inbound payloads are parsed into `InboundEvent`s (a union discriminated on `kind`) so the
ingest worker never needs to know a provider's wire format. Outbound, the inbox hands an
`OutboundMessage` to the provider's sender and gets a `SendResult` back.

Every model is frozen and forbids unknown fields: these are contracts between contexts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

Channel = Literal["whatsapp", "messenger", "instagram", "telegram", "sms", "email", "webchat"]

InboundType = Literal[
    "text",
    "image",
    "video",
    "audio",
    "document",
    "sticker",
    "location",
    "contacts",
    "interactive",
    "button",
    "reaction",
    "unsupported",
]

OutboundType = Literal["text", "image", "video", "audio", "document", "template"]

# `pending` (queued at the provider) and `other` (a provider status with no canonical meaning,
# e.g. WhatsApp `deleted`) exist so that no status is ever dropped: `provider_status` keeps
# the provider's own word.
DeliveryStatus = Literal["pending", "sent", "delivered", "read", "failed", "other"]


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]


class _Model(BaseModel):
    # Bytes (e-mail attachments) travel as base64 in JSON: raw bytes are not valid UTF-8.
    model_config = ConfigDict(
        frozen=True, extra="forbid", ser_json_bytes="base64", val_json_bytes="base64", defer_build=True
    )


# --------------------------------------------------------------------------- inbound parts


class Sender(_Model):
    """Who sent a message, as the provider identifies them."""

    external_id: str = Field(min_length=1)
    display_name: str | None = None
    phone: str | None = None
    email: str | None = None
    username: str | None = None


class InboundMedia(_Model):
    """Media attached to an inbound message. Download it with `channels.fetch`, never directly."""

    provider_media_id: str | None = None
    url: str | None = None
    mime_type: str | None = None
    filename: str | None = None
    caption: str | None = None
    sha256: str | None = None
    size: int | None = None


class Location(_Model):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class SharedContact(_Model):
    """A contact card the customer shared (WhatsApp contacts, Telegram contact)."""

    name: str | None = None
    phones: list[str] = Field(default_factory=list)
    emails: list[str] = Field(default_factory=list)
    external_id: str | None = None
    raw: dict[str, Any] = Field(default_factory=dict)


class InteractiveReply(_Model):
    """The option a customer chose: a reply button, a list row, a quick reply, a postback."""

    id: str | None = None
    title: str | None = None


class Reaction(_Model):
    """A reaction to an earlier message; `emoji` None means the reaction was removed."""

    emoji: str | None = None
    message_id: str | None = None


class ErrorDetail(_Model):
    """An error as the provider reported it (codes kept as strings: providers mix types)."""

    code: str | None = None
    title: str | None = None
    message: str | None = None
    details: str | None = None


class EmailAddress(_Model):
    address: str
    name: str | None = None


class EmailAttachment(_Model):
    filename: str | None = None
    content_type: str
    size: int
    content_id: str | None = None
    inline: bool = False
    # The bytes, so the worker can store them (S3) without parsing the MIME again.
    content: bytes | None = Field(default=None, repr=False)


class EmailDetails(_Model):
    subject: str | None = None
    message_id: str | None = None  # without angle brackets
    in_reply_to: str | None = None
    references: list[str] = Field(default_factory=list)
    html: str | None = None
    to: list[EmailAddress] = Field(default_factory=list)
    cc: list[EmailAddress] = Field(default_factory=list)
    attachments: list[EmailAttachment] = Field(default_factory=list)
    # Auto-Submitted, Precedence, List-Id… (lower-cased names): RFC 3834 loop protection reads them.
    loop_headers: dict[str, str] = Field(default_factory=dict)


class _Routed(_Model):
    """Fields every inbound event carries so the webhook can route it to a channel account."""

    channel: Channel
    # The provider-side id that routes to a channel account: WhatsApp phone_number_id, Meta
    # page id, Instagram account id. None where the URL itself names the account
    # (Telegram, Twilio, e-mail).
    account_ref: str | None = None
    waba_id: str | None = None  # WhatsApp Business Account id (entry[].id)
    # The payload part this event came from, unchanged.
    raw: dict[str, Any] = Field(default_factory=dict)


# --------------------------------------------------------------------------- inbound events


class InboundMessage(_Routed):
    """A message a customer sent us."""

    kind: Literal["message"] = "message"
    provider_message_id: str = Field(min_length=1)
    # The provider's id of the whole delivery when it differs (Telegram update_id).
    provider_event_id: str | None = None
    # Where replies go when that is not the sender's id (a Telegram group chat).
    conversation_ref: str | None = None
    # None only on `unsupported` messages whose payload names no sender.
    sender: Sender | None = None
    recipient_id: str | None = None
    timestamp: UtcDatetime
    type: InboundType
    text: str | None = None
    media: InboundMedia | None = None
    location: Location | None = None
    contacts: list[SharedContact] = Field(default_factory=list)
    interactive: InteractiveReply | None = None
    reaction: Reaction | None = None
    reply_to_provider_id: str | None = None
    email: EmailDetails | None = None
    edited: bool = False
    errors: list[ErrorDetail] = Field(default_factory=list)

    @model_validator(mode="after")
    def _only_unsupported_may_lack_a_sender(self) -> InboundMessage:
        if self.sender is None and self.type != "unsupported":
            raise ValueError("a message of a supported type needs a sender")
        return self

    def dedup_key(self) -> str:
        """Unique per delivery of this content: an edit is a new delivery of the same message."""
        if self.edited:
            return f"{self.provider_message_id}:edit:{self.provider_event_id or self.timestamp.isoformat()}"
        return self.provider_message_id


class InboundEcho(_Routed):
    """A copy of a message the business sent (Meta `is_echo`): never a customer message.

    Reported rather than dropped so the inbox can record messages sent from other tools
    (Meta Business Suite) and skip the ones it sent itself.
    """

    kind: Literal["echo"] = "echo"
    message: InboundMessage

    def dedup_key(self) -> str:
        return f"echo:{self.message.provider_message_id}"


class InboundStatus(_Routed):
    """A delivery report for a message we sent."""

    kind: Literal["status"] = "status"
    # None for watermark reports (Messenger read/delivery without mids).
    provider_message_id: str | None = None
    status: DeliveryStatus
    provider_status: str
    timestamp: UtcDatetime
    recipient_id: str | None = None
    # Everything we sent up to this time has reached `status` (Messenger watermarks).
    watermark: UtcDatetime | None = None
    error: ErrorDetail | None = None
    # `failed` may follow `delivered` (an e-mail bounce or complaint arrives after SES's
    # Delivery event); otherwise a failure applies only before delivery.
    after_delivery: bool = False

    def dedup_key(self) -> str:
        target = self.provider_message_id or f"{self.recipient_id}@{self.watermark}"
        return f"status:{target}:{self.provider_status}"


class InboundProviderError(_Routed):
    """An error the provider reported that is not tied to one message (WhatsApp value.errors)."""

    kind: Literal["provider_error"] = "provider_error"
    timestamp: UtcDatetime | None = None
    error: ErrorDetail

    def dedup_key(self) -> str:
        return f"error:{self.account_ref}:{self.error.code}:{self.timestamp}"


InboundEvent = Annotated[
    InboundMessage | InboundEcho | InboundStatus | InboundProviderError,
    Field(discriminator="kind"),
]


# --------------------------------------------------------------------------- outbound


class OutboundMedia(_Model):
    url: str = Field(min_length=1)
    mime_type: str | None = None
    filename: str | None = None
    caption: str | None = None


class TemplateButton(_Model):
    """A dynamic parameter for one button of an approved WhatsApp template."""

    index: int = Field(ge=0, le=9)
    sub_type: Literal["quick_reply", "url"] = "quick_reply"
    parameter: str


class OutboundTemplate(_Model):
    name: str = Field(min_length=1)
    language: str = Field(min_length=2)  # e.g. "es", "es_MX", "en_US"
    parameters: list[str] = Field(default_factory=list)  # body {{1}}, {{2}}, ...
    header_parameters: list[str] = Field(default_factory=list)
    header_media: OutboundMedia | None = None
    header_media_type: Literal["image", "video", "document"] | None = None
    buttons: list[TemplateButton] = Field(default_factory=list)


class OutboundEmail(_Model):
    subject: str | None = None
    html: str | None = None
    from_address: str | None = None
    from_name: str | None = None
    in_reply_to: str | None = None  # Message-ID, with or without angle brackets
    references: list[str] = Field(default_factory=list)
    cc: list[str] = Field(default_factory=list)
    auto_submitted: str | None = None  # "auto-replied" on automatic replies (RFC 3834)


class OutboundMessage(_Model):
    """A message the business sends. `media` is accepted as a shorthand for one attachment."""

    channel: Channel
    to: str = Field(min_length=1)
    type: OutboundType
    text: str | None = None
    attachments: list[OutboundMedia] = Field(default_factory=list)
    template: OutboundTemplate | None = None
    reply_to: str | None = None  # provider message id being answered
    preview_url: bool = False  # WhatsApp: render a link preview for the first URL in text
    email: OutboundEmail | None = None

    @model_validator(mode="before")
    @classmethod
    def _accept_single_media(cls, data: Any) -> Any:
        if isinstance(data, dict) and "media" in data:
            data = dict(data)
            media = data.pop("media")
            if media is not None:
                data["attachments"] = [media, *data.get("attachments", [])]
        return data

    @property
    def media(self) -> OutboundMedia | None:
        return self.attachments[0] if self.attachments else None


class SendResult(_Model):
    provider_message_id: str
    status: str = "accepted"
    # Every id the send produced, first included: providers that take one attachment per
    # request (WhatsApp, Messenger, Telegram) create one message per attachment.
    provider_message_ids: list[str] = Field(default_factory=list)
    # A second id some transports return (SES MessageId for e-mail).
    transport_id: str | None = None

    @model_validator(mode="after")
    def _ids_include_the_first(self) -> SendResult:
        if not self.provider_message_ids:
            object.__setattr__(self, "provider_message_ids", [self.provider_message_id])
        return self
