"""Dispatch a Meta webhook payload to the parser for its `object`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from skailan.channels.errors import PayloadError
from skailan.channels.messenger.inbound import parse as parse_messaging
from skailan.channels.models import InboundEvent
from skailan.channels.payload import Node, load_json
from skailan.channels.whatsapp.inbound import parse as parse_whatsapp


def parse(
    payload: bytes | str | Mapping[str, Any], *, received_at: datetime | None = None
) -> list[InboundEvent]:
    """Any Meta webhook body (`whatsapp_business_account`, `page` or `instagram`) as events."""
    document = load_json(payload)
    obj = Node(document).string("object")
    if obj == "whatsapp_business_account":
        return parse_whatsapp(document, received_at=received_at)
    if obj in {"page", "instagram"}:
        return parse_messaging(document, received_at=received_at)
    raise PayloadError(f"unknown Meta webhook object {obj!r}", path="$.object")
