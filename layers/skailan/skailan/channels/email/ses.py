"""SES notifications (the SNS `Message`): where SES put a received e-mail, and what happened
to an e-mail we sent (event publishing: Delivery, Bounce, Complaint…).

Receipts: with an S3 action the notification names the bucket and key; with an SNS action it
carries the MIME itself in `content` (UTF-8 or base64, per action.encoding).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from skailan.channels.errors import PayloadError
from skailan.channels.models import ErrorDetail, InboundStatus
from skailan.channels.payload import Node, build, load_json
from skailan.platform.clock import parse_iso, utcnow


@dataclass(frozen=True, slots=True)
class ReceivedMail:
    ses_message_id: str
    recipients: list[str] = field(default_factory=list)
    bucket: str | None = None
    key: str | None = None
    content: bytes | None = None  # the raw MIME when SES inlined it (SNS action)


def received_mail(notification: bytes | str | Mapping[str, Any]) -> ReceivedMail:
    root = Node(load_json(notification))
    if root.string("notificationType") != "Received":
        raise PayloadError("expected an SES 'Received' notification", path="$.notificationType")
    receipt = root.child("receipt")
    action = receipt.child("action")
    recipients = [item.value for item in receipt.items("recipients") if isinstance(item.value, str)]
    ses_message_id = root.child("mail").req_string("messageId")
    action_type = action.string("type")
    if action_type == "S3":
        return ReceivedMail(
            ses_message_id,
            recipients,
            bucket=action.req_string("bucketName"),
            key=action.req_string("objectKey"),
        )
    if action_type == "SNS":
        return ReceivedMail(ses_message_id, recipients, content=_inline_content(root, action))
    raise PayloadError(f"unsupported SES action {action_type!r}", path=f"{action.path}.type")


def _inline_content(root: Node, action: Node) -> bytes:
    content = root.req_string("content")
    if (action.string("encoding") or "UTF8").upper() == "BASE64":
        try:
            return base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError) as err:
            raise PayloadError("content is not valid base64", path="$.content") from err
    return content.encode("utf-8", "surrogateescape")


# --------------------------------------------------------------------------- sending events

# SES event publishing (a configuration set's SNS event destination): the notification's
# `Message` is JSON with `eventType` and a `mail` object whose `messageId` is the id
# SendRawEmail returned. See "Contents of event data that Amazon SES publishes to Amazon SNS".
_TRACKED = {"Delivery", "Bounce", "Complaint", "Reject"}
_SUPPRESSED = {"Suppressed", "OnAccountSuppressionList"}


@dataclass(frozen=True, slots=True)
class SendingEvent:
    event_type: str
    ses_message_id: str
    source: str  # the sending address (envelope MAIL FROM), bare and lower-case
    status: InboundStatus | None = None  # None: an event type we do not track (Open, Click…)


def is_sending_event(notification: bytes | str | Mapping[str, Any]) -> bool:
    """True for an event-publishing record (`eventType`), False for a receipt (`notificationType`)."""
    value = load_json(notification)
    return isinstance(value, dict) and "eventType" in value


def sending_event(notification: bytes | str | Mapping[str, Any], *, received_at: datetime | None = None) -> SendingEvent:
    """One SES sending event → the delivery status of the message SES sent.

    Delivery → `delivered`. Bounce with bounceType `Permanent` → `failed` (`suppressed` when SES
    refused because the address is on a suppression list, `permanent_bounce` otherwise);
    `Transient` and `Undetermined` bounces → `other` (SES keeps retrying or cannot tell: the
    message is not failed). Complaint → `failed` `complaint`; Reject (virus) → `failed`
    `rejected`. A bounce or complaint may follow the Delivery event, so failures carry
    `after_delivery`.
    """
    root = Node(load_json(notification))
    event_type = root.req_string("eventType")
    mail = root.child("mail")
    ses_message_id = mail.req_string("messageId")
    source = parseaddr(mail.req_string("source"))[1].strip().lower()
    if "@" not in source:
        raise mail.fail("not an e-mail address", "source")
    if event_type not in _TRACKED:
        return SendingEvent(event_type, ses_message_id, source)
    moment = received_at or utcnow()
    detail = root.child(event_type.lower())
    recipients = [n.value for n in mail.items("destination") if isinstance(n.value, str)]
    fields: dict[str, Any] = {
        "channel": "email",
        "provider_message_id": ses_message_id,
        "timestamp": _iso(detail, "timestamp") or _iso(mail, "timestamp") or moment,
        "recipient_id": recipients[0].lower() if recipients else None,
        "raw": {"eventType": event_type, event_type.lower(): detail.obj(),
                "mail": {"messageId": ses_message_id, "destination": recipients}},
    }
    if event_type == "Delivery":
        fields.update(status="delivered", provider_status="Delivery")
    elif event_type == "Bounce":
        fields.update(_bounce(detail))
    elif event_type == "Complaint":
        feedback = detail.string("complaintFeedbackType")
        fields.update(status="failed", provider_status="Complaint", after_delivery=True,
                      error=ErrorDetail(code="complaint", title="Complaint" + (f" ({feedback})" if feedback else ""),
                                        message=feedback))
    else:  # Reject
        reason = detail.string("reason")
        fields.update(status="failed", provider_status="Reject",
                      error=ErrorDetail(code="rejected", title="Rejected", message=reason))
    status = build(root.path, InboundStatus, **fields)
    return SendingEvent(event_type, ses_message_id, source, status)


def _bounce(bounce: Node) -> dict[str, Any]:
    kind = bounce.string("bounceType") or "Undetermined"
    sub = bounce.string("bounceSubType") or "General"
    provider_status = f"Bounce:{kind}:{sub}"
    if kind != "Permanent":
        return {"status": "other", "provider_status": provider_status}
    diagnostics = [d for n in bounce.items("bouncedRecipients") if (d := n.string("diagnosticCode"))]
    code = "suppressed" if sub in _SUPPRESSED else "permanent_bounce"
    return {"status": "failed", "provider_status": provider_status, "after_delivery": True,
            "error": ErrorDetail(code=code, title=f"Permanent bounce ({sub})",
                                 message=diagnostics[0][:500] if diagnostics else None)}


def _iso(node: Node, key: str) -> datetime | None:
    text = node.string(key)
    if not text:
        return None
    try:
        return parse_iso(text)
    except (ValueError, OverflowError) as err:  # OverflowError: year 1 shifted to UTC
        raise node.fail("not an ISO-8601 time", key) from err


# --------------------------------------------------------------------------- sending


def send_raw(ses: Any, *, source: str, recipients: list[str], raw: bytes, configuration_set: str | None) -> str:
    """SES SendRawEmail; with a configuration set SES publishes the message's delivery events
    (its SNS event destination posts them to /webhooks/ses). Returns SES's MessageId."""
    options: dict[str, Any] = {"ConfigurationSetName": configuration_set} if configuration_set else {}
    response = ses.send_raw_email(Source=source, Destinations=recipients, RawMessage={"Data": raw}, **options)
    return str(response["MessageId"])
