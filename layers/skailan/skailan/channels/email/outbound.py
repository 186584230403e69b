"""Outbound e-mail: build the raw MIME (the caller hands it to SES SendRawEmail).

The Message-ID is generated here and becomes the provider message id, because replies will
name it in In-Reply-To. Threading follows RFC 5322: In-Reply-To is the answered message, and
References is its References plus its Message-ID.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from skailan.channels.email.html_text import html_to_text
from skailan.channels.models import OutboundMedia, OutboundMessage, SendResult
from skailan.channels.sending import TEXT_AND_MEDIA, ChannelSender, SendLimits, local_failure
from skailan.platform.clock import utcnow


@dataclass(frozen=True, slots=True)
class AttachmentContent:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class ComposedEmail:
    raw: bytes
    message_id: str  # without angle brackets
    from_address: str
    recipients: list[str]


def compose_email(
    message: OutboundMessage,
    *,
    from_address: str,
    from_name: str | None = None,
    attachments: Sequence[AttachmentContent] = (),
    message_id_domain: str | None = None,
    date: datetime | None = None,
) -> ComposedEmail:
    """The MIME bytes of `message`: text and HTML alternatives plus attachments, CRLF endings.

    Raises ValueError (header injection, bad address) for the sender to classify.
    """
    fields = message.email
    sender_address = (fields.from_address if fields and fields.from_address else from_address).strip()
    sender_name = fields.from_name if fields and fields.from_name else from_name
    mime = EmailMessage(policy=policy.SMTP)
    # Address() validates and RFC 2047-encodes a non-ASCII display name.
    username, _, domain = sender_address.rpartition("@")
    mime["From"] = Address(display_name=sender_name or "", username=username, domain=domain)
    mime["To"] = message.to
    cc = list(fields.cc) if fields else []
    if cc:
        mime["Cc"] = ", ".join(cc)
    mime["Subject"] = (fields.subject if fields else None) or ""
    mime["Date"] = format_datetime(date or utcnow())
    # make_msgid() would look up this host's FQDN; the sender's domain is the honest choice.
    message_id = make_msgid(domain=message_id_domain or domain)
    mime["Message-ID"] = message_id
    in_reply_to = _bare(fields.in_reply_to) if fields and fields.in_reply_to else None
    if in_reply_to:
        mime["In-Reply-To"] = f"<{in_reply_to}>"
    references = [_bare(ref) for ref in (fields.references if fields else [])]
    if in_reply_to and in_reply_to not in references:
        references.append(in_reply_to)
    if references:
        mime["References"] = " ".join(f"<{ref}>" for ref in references)
    if fields and fields.auto_submitted:  # RFC 3834: other responders must not answer ours
        mime["Auto-Submitted"] = fields.auto_submitted
        mime["X-Auto-Response-Suppress"] = "All"
    html = fields.html if fields else None
    mime.set_content(message.text or (html_to_text(html) if html else ""))
    if html:
        mime.add_alternative(html, subtype="html")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        mime.add_attachment(
            attachment.content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return ComposedEmail(
        raw=mime.as_bytes(),
        message_id=_bare(message_id),
        from_address=sender_address,
        recipients=[message.to, *cc],
    )


def _bare(message_id: str) -> str:
    return message_id.strip().strip("<>")


EmailTransport = Callable[[ComposedEmail], str]
AttachmentLoader = Callable[[OutboundMedia], AttachmentContent]


class EmailSender(ChannelSender):
    """Composes the MIME and hands it to `transport` (SES SendRawEmail in the worker), which
    returns the transport's own id. Attachment URLs are turned into bytes by `load_attachment`
    (the worker passes one built on `channels.fetch` or S3)."""

    provider = "local"
    channel = "email"
    limits = SendLimits(max_text=200_000, max_attachments=10, types=TEXT_AND_MEDIA, captioned=frozenset())

    def __init__(
        self,
        *,
        transport: EmailTransport,
        from_address: str,
        from_name: str | None = None,
        message_id_domain: str | None = None,
        load_attachment: AttachmentLoader | None = None,
        allow_http_media: bool = False,
    ) -> None:
        self.transport = transport
        self.from_address = from_address
        self.from_name = from_name
        self.message_id_domain = message_id_domain
        self.load_attachment = load_attachment
        self.allow_http_media = allow_http_media

    def check(self, message: OutboundMessage) -> None:
        has_html = bool(message.email and message.email.html and message.email.html.strip())
        if message.type == "text" and has_html and not (message.text or "").strip():
            # An HTML-only e-mail is not empty: let the shared checks see its text version.
            message = message.model_copy(update={"text": html_to_text(message.email.html or "")})  # type: ignore[union-attr]
        super().check(message)

    def _deliver(self, message: OutboundMessage) -> SendResult:
        if message.attachments and self.load_attachment is None:
            raise local_failure("invalid_media_url", "no attachment loader configured for e-mail")
        attachments = (
            [self.load_attachment(media) for media in message.attachments] if self.load_attachment else []
        )
        try:
            composed = compose_email(
                message,
                from_address=self.from_address,
                from_name=self.from_name,
                attachments=attachments,
                message_id_domain=self.message_id_domain,
            )
        except (ValueError, TypeError, MessageError) as err:
            raise local_failure("invalid_email", str(err)[:200]) from err
        transport_id = self.transport(composed)
        # SES replaces our Message-ID with its own and names the message by its MessageId in
        # delivery events (Delivery, Bounce, Complaint): both ids find the message.
        ids = [composed.message_id, *([transport_id] if transport_id else [])]
        return SendResult(
            provider_message_id=composed.message_id,
            status="accepted",
            provider_message_ids=ids,
            transport_id=transport_id,
        )
