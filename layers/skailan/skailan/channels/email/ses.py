"""Where SES put a received e-mail, read from its receipt notification (the SNS `Message`).

With an S3 action the notification names the bucket and key; with an SNS action it carries
the MIME itself in `content` (UTF-8 or base64, per action.encoding).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from skailan.channels.errors import PayloadError
from skailan.channels.payload import Node, load_json


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
