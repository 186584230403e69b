"""The base of every sender: the checks all channels share, the HTTP call, and the failure
classification that falls back on the HTTP status when a provider code is unknown.

A provider subclass declares its `SendLimits` and implements `_send_part` (one provider
request per text, attachment or template) or overrides `_deliver` when the provider takes the
whole message in one request (Twilio, e-mail).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, Literal, TypedDict
from urllib.parse import urlsplit

import httpx

from skailan.channels.errors import SendFailure
from skailan.channels.models import (
    Channel,
    OutboundMedia,
    OutboundMessage,
    OutboundTemplate,
    OutboundType,
    SendResult,
)
from skailan.channels.reasons import Provider, reason_for
from skailan.platform.clock import utcnow

MediaKind = Literal["image", "video", "audio", "document"]
_MEDIA_TYPES: frozenset[str] = frozenset({"image", "video", "audio", "document"})
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# Text plus every kind of attachment: what SMS/MMS, e-mail, Telegram and Meta take.
TEXT_AND_MEDIA: frozenset[OutboundType] = frozenset({"text", "image", "video", "audio", "document"})


@dataclass(frozen=True, slots=True)
class SendLimits:
    max_text: int
    max_attachments: int
    types: frozenset[OutboundType]
    max_caption: int = 1024
    captioned: frozenset[MediaKind] = field(default_factory=lambda: frozenset({"image", "video", "document"}))


# --------------------------------------------------------------------------- parts


@dataclass(frozen=True, slots=True)
class TextPart:
    text: str


@dataclass(frozen=True, slots=True)
class MediaPart:
    media: OutboundMedia
    kind: MediaKind
    caption: str | None


@dataclass(frozen=True, slots=True)
class TemplatePart:
    template: OutboundTemplate


Part = TextPart | MediaPart | TemplatePart


_MIME_KINDS: dict[str, MediaKind] = {"image": "image", "video": "video", "audio": "audio"}
_DECLARED_KINDS: dict[str, MediaKind] = {**_MIME_KINDS, "document": "document"}


def media_kind(media: OutboundMedia, declared: OutboundType) -> MediaKind:
    """The attachment's kind: its MIME type when given, else the message's declared type."""
    if media.mime_type:
        return _MIME_KINDS.get(media.mime_type.split("/", 1)[0].lower(), "document")
    return _DECLARED_KINDS.get(declared, "document")


def split_into_parts(message: OutboundMessage, limits: SendLimits) -> list[Part]:
    """One provider request per part.

    The message text rides as the first attachment's caption when that kind takes captions,
    else it goes as its own text after the attachments. A caption the provider cannot attach
    (WhatsApp audio, any Messenger attachment) follows its attachment as text, never dropped.
    """
    if message.type == "template":
        assert message.template is not None  # checked by ChannelSender.check
        return [TemplatePart(message.template)]
    if message.type == "text":
        return [TextPart(message.text or "")]
    parts: list[Part] = []
    text = (message.text or "").strip() or None
    for media in message.attachments:
        kind = media_kind(media, message.type)
        if kind not in limits.captioned:
            parts.append(MediaPart(media, kind, None))
            if media.caption:
                parts.append(TextPart(media.caption))
            continue
        caption = media.caption
        if caption is None and text is not None:
            caption, text = text, None
        parts.append(MediaPart(media, kind, caption))
    if text is not None:
        parts.append(TextPart(text))
    return parts


# --------------------------------------------------------------------------- failures


def local_failure(code: str, detail: str | None = None) -> SendFailure:
    """A failure found before calling the provider (or around the call)."""
    reason = reason_for("local", code)
    assert reason is not None, f"unknown local failure code {code}"
    return SendFailure.of(reason, code, provider_message=detail)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or utcnow())).total_seconds())


def classify(
    response: httpx.Response,
    *,
    provider: Provider,
    code: str | None = None,
    provider_message: str | None = None,
    retry_after: float | None = None,
    transient: bool | None = None,
) -> SendFailure:
    """A failed provider response as a `SendFailure`.

    A known provider `code` decides; otherwise the HTTP status does (429 and 5xx retry,
    other 4xx are permanent), and a provider's own "transient" flag turns an unknown code
    retryable.
    """
    status = response.status_code
    retry_after = (
        retry_after if retry_after is not None else parse_retry_after(response.headers.get("Retry-After"))
    )
    reason = reason_for(provider, code) if code else None
    if reason is None:
        fallback = "http_429" if status == 429 else "http_5xx" if status >= 500 else "http_4xx"
        if transient and fallback == "http_4xx":
            fallback = "http_5xx"
        reason = reason_for("local", fallback)
        assert reason is not None
    return SendFailure.of(
        reason,
        code or f"http_{status}",
        retry_after=retry_after if not reason.permanent else None,
        http_status=status,
        provider_message=provider_message,
    )


def provider_id(value: object, response: httpx.Response) -> str:
    """The id the provider gave what it accepted; a success without one is an invalid response."""
    if not isinstance(value, str) or not value:
        raise local_failure("invalid_response", response.text[:200])
    return value


def json_body(response: httpx.Response) -> dict[str, Any]:
    """A provider response body as an object; anything else is an empty object."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


# --------------------------------------------------------------------------- the base sender


class ChannelSender(ABC):
    """Shared checks and the send loop; one subclass per provider does the delivery."""

    provider: ClassVar[Provider]
    channel: Channel
    limits: SendLimits
    # Local mode points media at a fake provider on http://127.0.0.1.
    allow_http_media: bool = False

    def send(self, message: OutboundMessage) -> SendResult:
        self.check(message)
        return self._deliver(message)

    # ---- shared checks

    def check(self, message: OutboundMessage) -> None:
        """Refuse, before any network call, what the provider would refuse anyway."""
        limits = self.limits
        if message.channel != self.channel:
            raise local_failure(
                "wrong_channel", f"{message.channel} message given to the {self.channel} sender"
            )
        if message.type not in limits.types:
            raise local_failure("unsupported_type", f"{message.type} on {self.channel}")
        if not message.to.strip():
            raise local_failure("invalid_recipient")
        text = message.text or ""
        if message.type == "text" and not text.strip():
            raise local_failure("empty_message")
        if message.type == "template" and message.template is None:
            raise local_failure("empty_message", "template message without a template")
        if message.type in _MEDIA_TYPES and not message.attachments:
            raise local_failure("empty_message", f"{message.type} message without attachments")
        if len(message.attachments) > limits.max_attachments:
            raise local_failure(
                "too_many_attachments", f"{len(message.attachments)} > {limits.max_attachments}"
            )
        if len(text) > limits.max_text:
            raise local_failure("text_too_long", f"{len(text)} > {limits.max_text} characters")
        for media in message.attachments:
            self._check_media_url(media.url)
        for part in split_into_parts(message, limits):
            if isinstance(part, MediaPart) and part.caption and len(part.caption) > limits.max_caption:
                raise local_failure(
                    "caption_too_long", f"{len(part.caption)} > {limits.max_caption} characters"
                )

    def _check_media_url(self, url: str) -> None:
        parts = urlsplit(url)
        allowed = {"https", "http"} if self.allow_http_media else {"https"}
        if parts.scheme not in allowed or not parts.hostname:
            raise local_failure("invalid_media_url", url[:200])

    # ---- delivery

    def _deliver(self, message: OutboundMessage) -> SendResult:
        """Send part by part; a failure after some parts went out says which ones did."""
        sent: list[str] = []
        for index, part in enumerate(split_into_parts(message, self.limits)):
            reply_to = message.reply_to if index == 0 else None
            try:
                sent.append(self._send_part(message, part, reply_to=reply_to))
            except SendFailure as failure:
                failure.sent_provider_message_ids = list(sent)
                raise
        return SendResult(provider_message_id=sent[0], provider_message_ids=sent)

    def _send_part(self, message: OutboundMessage, part: Part, *, reply_to: str | None) -> str:
        """Send one part and return the provider's id for it."""
        raise NotImplementedError(f"{type(self).__name__} sends whole messages")


class HttpOptions(TypedDict, total=False):
    """What every HTTP sender takes besides its credentials (the base URL points local mode at
    the fake provider)."""

    base_url: str
    timeout: httpx.Timeout | float
    allow_http_media: bool


class HttpSender(ChannelSender):
    """A sender that calls a provider's HTTP API through an injected `httpx.Client`."""

    default_base_url: ClassVar[str]

    def __init__(
        self,
        client: httpx.Client,
        *,
        base_url: str | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        allow_http_media: bool = False,
    ) -> None:
        self.client = client
        self.base_url = (self.default_base_url if base_url is None else base_url).rstrip("/")
        self.timeout = timeout
        self.allow_http_media = allow_http_media

    @abstractmethod
    def _failure(self, response: httpx.Response) -> SendFailure:
        """Classify a non-2xx provider response."""

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One provider call: transport problems become retryable failures, HTTP errors are
        classified by the provider's `_failure`."""
        try:
            response = self.client.request(method, url, timeout=self.timeout, **kwargs)
        except httpx.TimeoutException as err:
            raise local_failure("timeout", type(err).__name__) from err
        except httpx.TransportError as err:
            raise local_failure("network_error", type(err).__name__) from err
        if not response.is_success:
            raise self._failure(response)
        return response
