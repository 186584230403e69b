"""The inbound FIFO queue: what a webhook enqueues and the ingest worker reads.

One SQS message per canonical event, already routed to its brand and channel account:
`MessageGroupId` = tenant + account + customer (one customer's events stay in order, every
other customer proceeds in parallel), `MessageDeduplicationId` = a hash of tenant, account and
the event's `dedup_key()` (a provider redelivery within SQS's five minutes is dropped by SQS;
later ones by the worker's conditional put). Up to ten events go in one SendMessageBatch.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from skailan.channels.models import Channel, InboundEvent, UtcDatetime
from skailan.platform.errors import Retryable

MAX_BATCH = 10
# SQS refuses a message or a batch over 256 KiB; keep a margin for attributes.
MAX_BYTES = 250_000
_SQS_ID = re.compile(r"^[A-Za-z0-9!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]{1,128}$")


class MailRef(BaseModel):
    """A received e-mail: SES put the MIME in S3 (or inlined it in the notification)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    ses_message_id: str
    recipient: str
    bucket: str | None = None
    key: str | None = None
    content_b64: str | None = None


class MediaRetry(BaseModel):
    """The stored message whose media download failed: only the media is fetched again."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    conversation_id: str
    message_id: str


class IngestEnvelope(BaseModel):
    """One routed inbound event. The tenant comes from the route guard of the id the verified
    payload names (or of the URL's account), never from the payload itself."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    v: Literal[1] = 1
    tenant_id: str
    account_id: str
    channel: Channel
    received_at: UtcDatetime
    # What verified it: "meta" (with app_id), "telegram", "twilio", "ses", "webchat".
    via: str
    app_id: str | None = None
    event: InboundEvent | None = None
    mail: MailRef | None = None
    # Set on a media retry: its own message group, so it never holds the customer's messages back.
    media_retry: MediaRetry | None = None

    def customer_ref(self) -> str:
        """Whose ordered stream this event belongs to."""
        event = self.event
        if self.media_retry is not None:
            return f"media:{self.media_retry.message_id}"
        if event is None:
            return f"mail:{self.mail.ses_message_id}" if self.mail else "none"
        if event.kind == "message":
            if event.conversation_ref:
                return event.conversation_ref
            return event.sender.external_id if event.sender else "unknown"
        if event.kind == "echo":
            return event.message.recipient_id or "unknown"
        if event.kind == "status":
            return event.recipient_id or "statuses"
        return "provider-errors"

    def dedup_key(self) -> str:
        if self.media_retry is not None:
            return f"media:{self.media_retry.conversation_id}:{self.media_retry.message_id}"
        if self.event is not None:
            return self.event.dedup_key()
        assert self.mail is not None
        return f"mail:{self.mail.ses_message_id}"


def _sqs_id(value: str) -> str:
    """A valid MessageGroupId / MessageDeduplicationId: kept when it is one, hashed otherwise."""
    return value if _SQS_ID.match(value) else hashlib.sha256(value.encode()).hexdigest()


def group_id(envelope: IngestEnvelope) -> str:
    return _sqs_id(f"{envelope.tenant_id}#{envelope.account_id}#{envelope.customer_ref()}")


def deduplication_id(envelope: IngestEnvelope) -> str:
    key = f"{envelope.tenant_id}|{envelope.account_id}|{envelope.dedup_key()}"
    return hashlib.sha256(key.encode()).hexdigest()


def _body(envelope: IngestEnvelope) -> str:
    body = envelope.model_dump_json()
    if len(body.encode()) <= MAX_BYTES or envelope.event is None:
        return body
    # The provider's raw part is the only optional bulk: drop it rather than the event.
    event = envelope.event
    cut = {"raw": {"truncated": True}}
    slim: InboundEvent
    if event.kind == "echo":
        slim = event.model_copy(update={**cut, "message": event.message.model_copy(update=cut)})
    else:
        slim = event.model_copy(update=cut)
    return envelope.model_copy(update={"event": slim}).model_dump_json()


def entries(envelopes: Sequence[IngestEnvelope]) -> list[dict[str, Any]]:
    return [
        {
            "Id": str(index),
            "MessageBody": _body(envelope),
            "MessageGroupId": group_id(envelope),
            "MessageDeduplicationId": deduplication_id(envelope),
        }
        for index, envelope in enumerate(envelopes)
    ]


def _batches(items: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    batches: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for item in items:
        item_size = len(item["MessageBody"].encode())
        if current and (len(current) == MAX_BATCH or size + item_size > MAX_BYTES):
            batches.append(current)
            current, size = [], 0
        current.append({**item, "Id": str(len(current))})
        size += item_size
    if current:
        batches.append(current)
    return batches


def enqueue(envelopes: Sequence[IngestEnvelope], *, queue_url: str | None = None) -> int:
    """Send every envelope; raise Retryable if any was refused (the provider will retry)."""
    if not envelopes:
        return 0
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    url = queue_url or get_settings().inbound_queue_url
    sqs = client("sqs")
    for batch in _batches(entries(envelopes)):
        response = sqs.send_message_batch(QueueUrl=url, Entries=batch)
        failed = response.get("Failed") or []
        if failed:
            raise Retryable(f"{len(failed)} inbound events were not queued: {failed[0].get('Code')}")
    return len(envelopes)
