"""E-mail: inbound MIME from SES (S3 + SNS, SNS signature in `channels.sns`), outbound MIME,
SES delivery events (Delivery / Bounce / Complaint) for the e-mail we sent."""

from typing import TYPE_CHECKING

from skailan.channels.email.inbound import parse
from skailan.channels.email.ses import (
    ReceivedMail,
    SendingEvent,
    is_sending_event,
    received_mail,
    send_raw,
    sending_event,
)
from skailan.channels.lazy import lazy_attributes

if TYPE_CHECKING:
    from skailan.channels.email.outbound import AttachmentContent, ComposedEmail, EmailSender, compose_email

_OUTBOUND = "skailan.channels.email.outbound"
__getattr__ = lazy_attributes(
    __name__,
    {name: _OUTBOUND for name in ("AttachmentContent", "ComposedEmail", "EmailSender", "compose_email")},
)
__all__ = [
    "AttachmentContent",
    "ComposedEmail",
    "EmailSender",
    "ReceivedMail",
    "SendingEvent",
    "compose_email",
    "is_sending_event",
    "parse",
    "received_mail",
    "send_raw",
    "sending_event",
]
