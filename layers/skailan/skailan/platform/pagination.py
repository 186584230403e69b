"""Opaque cursors over DynamoDB's LastEvaluatedKey, bound to the partition they came from."""

from __future__ import annotations

import base64
import json
from typing import Any

from skailan.platform.errors import BadRequest

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, partition_attr: str, partition_value: str) -> dict[str, Any] | None:
    """Decode a cursor and refuse one that points outside the caller's partition.

    A cursor is caller input: without this check a crafted cursor could start a Query at
    another tenant's key.
    """
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
        value = key[partition_attr]
        value = value.get("S") if isinstance(value, dict) else value
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise BadRequest("El cursor no es válido. / The cursor is not valid.", code="invalid_cursor") from err
    if value != partition_value:
        raise BadRequest("El cursor no es válido. / The cursor is not valid.", code="invalid_cursor")
    return key


def clamp_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    return max(1, min(int(limit), MAX_LIMIT))
