"""A raw MIME e-mail (as SES stores it in S3) → one canonical message.

Parsed with the stdlib `email` package and `policy.default`, which decodes RFC 2047 headers
and exposes addresses and dates as objects. Text comes from the text/plain body, or from the
HTML body stripped to text when there is none; every other leaf part is an attachment.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.errors import MessageError
from email.message import EmailMessage, Message
from email.parser import BytesParser
from typing import Any

from skailan.channels.email.html_text import html_to_text
from skailan.channels.email.loops import loop_headers
from skailan.channels.errors import PayloadError
from skailan.channels.models import (
    EmailAddress,
    EmailAttachment,
    EmailDetails,
    InboundEvent,
    InboundMessage,
    Sender,
)
from skailan.platform.clock import utcnow

_MAX_HEADERS_IN_RAW = 200
_MSG_ID = re.compile(r"<([^<>\s]+)>")


def parse(
    raw: bytes, *, received_at: datetime | None = None, include_content: bool = True
) -> list[InboundEvent]:
    if not isinstance(raw, bytes | bytearray):
        raise PayloadError(f"expected the raw e-mail bytes, got {type(raw).__name__}")
    if not raw.strip():
        raise PayloadError("empty e-mail")
    try:
        message = BytesParser(policy=policy.default).parsebytes(bytes(raw))
        assert isinstance(message, EmailMessage)
        return [_message(message, bytes(raw), received_at or utcnow(), include_content)]
    except PayloadError:
        raise
    # The stdlib parser is lenient but its header and content accessors can still raise a
    # handful of exception types on hostile input; all of them mean "unreadable e-mail".
    except (
        MessageError,
        ValueError,
        LookupError,
        IndexError,
        TypeError,
        AttributeError,
        AssertionError,
    ) as err:
        raise PayloadError(f"unreadable e-mail ({type(err).__name__})") from err


def _message(
    message: EmailMessage, raw: bytes, received_at: datetime, include_content: bool
) -> InboundMessage:
    senders = _addresses(message, "From")
    if not senders:
        raise PayloadError("the e-mail has no From address", path="From")
    sender = senders[0]
    to = _addresses(message, "To")
    plain_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    html = _text_of(html_part) if html_part is not None else None
    text = _text_of(plain_part) if plain_part is not None else None
    if not (text and text.strip()) and html:
        text = html_to_text(html)
    message_id = _first_id(message.get("Message-ID"))
    details = EmailDetails(
        subject=_clean(str(message["Subject"])) if message["Subject"] is not None else None,
        message_id=message_id,
        in_reply_to=_first_id(message.get("In-Reply-To")),
        references=_ids(message.get("References")),
        html=html,
        to=to,
        cc=_addresses(message, "Cc"),
        attachments=list(
            _attachments(message, skip={id(plain_part), id(html_part)}, include_content=include_content)
        ),
        loop_headers=loop_headers((_clean(name), _clean(str(value))) for name, value in message.raw_items()),
    )
    return InboundMessage(
        channel="email",
        # Without a Message-ID, a hash of the bytes still deduplicates a redelivery.
        provider_message_id=message_id or f"email:{hashlib.sha256(raw).hexdigest()[:32]}",
        sender=Sender(
            external_id=sender.address.lower(), email=sender.address.lower(), display_name=sender.name
        ),
        recipient_id=to[0].address.lower() if to else None,
        timestamp=_date(message) or received_at,
        type="text",
        text=text or "",
        reply_to_provider_id=details.in_reply_to,
        email=details,
        raw={
            "headers": [[_clean(name), _clean(str(value))] for name, value in message.raw_items()][
                :_MAX_HEADERS_IN_RAW
            ]
        },
    )


# --------------------------------------------------------------------------- headers


def _clean(value: str) -> str:
    """Undo the parser's surrogate escapes (undecodable bytes) so the text serialises."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _addresses(message: EmailMessage, name: str) -> list[EmailAddress]:
    header: Any = message[name]
    if header is None:
        return []
    found = []
    for address in getattr(header, "addresses", ()):
        spec = _clean(address.addr_spec or "")
        if "@" in spec:
            found.append(EmailAddress(address=spec, name=_clean(address.display_name) or None))
    return found


def _ids(value: Any) -> list[str]:
    """Message-IDs in a header, without their angle brackets."""
    if value is None:
        return []
    text = _clean(str(value))
    bracketed = _MSG_ID.findall(text)
    return bracketed or [token.strip("<>") for token in text.split() if token.strip("<>")]


def _first_id(value: Any) -> str | None:
    ids = _ids(value)
    return ids[0] if ids else None


def _date(message: EmailMessage) -> datetime | None:
    header: Any = message["Date"]
    moment = getattr(header, "datetime", None) if header is not None else None
    if not isinstance(moment, datetime):
        return None
    # "-0000" means "time zone unknown": read it as UTC, as RFC 5322 suggests.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --------------------------------------------------------------------------- bodies and attachments


def _payload_bytes(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _text_of(part: Message) -> str:
    charset = part.get_content_charset() or "utf-8"
    payload = _payload_bytes(part)
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name: UTF-8 is the likeliest truth
        return payload.decode("utf-8", errors="replace")


def _leaves(part: Message) -> Iterator[Message]:
    """Leaf parts; an attached e-mail (message/rfc822) is one leaf, not walked into."""
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        yield part
        return
    payload = part.get_payload()
    for sub in payload if isinstance(payload, list) else ():
        if isinstance(sub, Message):
            yield from _leaves(sub)


def _attachments(
    message: EmailMessage, *, skip: set[int], include_content: bool
) -> Iterator[EmailAttachment]:
    for part in _leaves(message):
        if id(part) in skip or part is message:
            continue
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        if part.get_content_maintype() == "text" and disposition != "attachment" and not filename:
            continue  # an alternative body we did not choose, not a file
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            content = (
                inner[0].as_bytes()
                if isinstance(inner, list) and inner and isinstance(inner[0], Message)
                else b""
            )
        else:
            content = _payload_bytes(part)
        content_id = part.get("Content-ID")
        yield EmailAttachment(
            filename=_clean(filename) if filename else None,
            content_type=part.get_content_type(),
            size=len(content),
            content_id=_first_id(content_id),
            inline=disposition == "inline" or (disposition is None and content_id is not None),
            content=content if include_content else None,
        )
