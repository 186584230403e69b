"""SQS records the workers cannot use go to the dead-letter queue at once, with their reason.

A record that can never succeed (not JSON, not an envelope, a payload the parser refuses)
would otherwise be retried up to maxReceiveCount times, blocking its FIFO group each time.
Sent to the DLQ with a `reason` attribute and acknowledged, it fails alone: the rest of the
batch — and of its group — goes on. Transient failures are raised instead and retried by SQS.
"""

from __future__ import annotations

import hashlib
from typing import Any

from skailan.platform.observability import logger


class Malformed(Exception):
    """This record can never be processed."""


def to_dead_letter(queue_url: str, body: str, *, reason: str, message_id: str, group_id: str | None,
                   source: str) -> None:
    from skailan.platform.aws import client

    params: dict[str, Any] = {
        "QueueUrl": queue_url,
        "MessageBody": body or "<empty>",
        "MessageAttributes": {
            "reason": {"DataType": "String", "StringValue": reason[:1000] or "malformed"},
            "source_message_id": {"DataType": "String", "StringValue": message_id or "unknown"},
            "source": {"DataType": "String", "StringValue": source},
        },
    }
    if queue_url.endswith(".fifo"):
        params["MessageGroupId"] = group_id or "malformed"
        params["MessageDeduplicationId"] = hashlib.sha256(f"{message_id}|{body}".encode()).hexdigest()
    client("sqs").send_message(**params)
    logger.error("record sent to the dead-letter queue", reason=reason[:300], message_id=message_id, source=source)
