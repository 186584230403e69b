"""Outbox enrichment of the EventBridge Pipes (template.yaml, `*OutboxPipe`): each DynamoDB stream
record of an outbox item (`skailan.platform.outbox`) becomes the domain event envelope it carries.

The Pipe then puts each returned object on the bus with Source `$.source` and DetailType `$.type`,
so consumers receive exactly what `platform.events.publish` sends. Deliberately tiny (json only):
it runs once per stream batch.
"""

from __future__ import annotations

import json
from typing import Any


def handler(event: list[dict[str, Any]], context: Any) -> list[dict[str, Any]]:
    envelopes = []
    for record in event:
        image = (record.get("dynamodb") or {}).get("NewImage") or {}
        body = (image.get("event") or {}).get("S")
        if body:  # the Pipe's filter only lets outbox INSERTs through; anything else is skipped
            envelopes.append(json.loads(body))
    return envelopes
