"""Sortable ids (ULID) and the id types shared by every context.

A ULID is 48 bits of Unix milliseconds and 80 bits of randomness, written as 26 Crockford base32
characters, so ids sort by creation time. Encoded here rather than with `python-ulid`, whose
import (it reads its own package metadata) costs ~9 ms of every function's cold start; the
strings are the same (tests/unit/platform/test_ids.py checks against python-ulid).
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from typing import Annotated

from pydantic import Field

# The one id grammar of the product: every entity id (ULIDs, and named ids such as the default
# pipeline "default" or the task type "follow_up") is 1-64 of [A-Za-z0-9_-]. Path parameters,
# body references and the stores' own checks all use these, so an id one part creates is never
# refused by another (a Crockford-only copy once rejected "default" for its letter "l").
ID_MAX_LENGTH = 64
ID_PATTERN = r"^[A-Za-z0-9_-]+$"
_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")

TenantId = Annotated[str, Field(min_length=2, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
EntityId = Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]


def is_valid_id(value: object) -> bool:
    """Whether `value` is an id in the product's grammar (checked before it goes into a key)."""
    return isinstance(value, str) and 0 < len(value) <= ID_MAX_LENGTH and set(value) <= _ID_CHARS

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid(millis: int, randomness: bytes) -> str:
    """The ULID of `millis` (Unix ms, 48 bits) and 10 bytes of `randomness`."""
    if not 0 <= millis < 1 << 48 or len(randomness) != 10:
        raise ValueError("a ULID is 48 bits of milliseconds and 10 bytes of randomness")
    value = (millis << 80) | int.from_bytes(randomness, "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def new_id() -> str:
    """A ULID: unique, and sorts by creation time."""
    return ulid(time.time_ns() // 1_000_000, os.urandom(10))


def id_at(moment: datetime) -> str:
    """A fresh ULID that sorts at `moment` (a message keyed by when it was sent, not received)."""
    return ulid(int(moment.timestamp() * 1000), os.urandom(10))


ORDER_BITS = 48


def ordered_id_at(moment: datetime, order: int) -> str:
    """A ULID that sorts at `moment` and, within its millisecond, by `order` (then at random):
    messages the provider stamped with the same second keep the provider's order."""
    order = min(max(order, 0), (1 << ORDER_BITS) - 1)
    return ulid(int(moment.timestamp() * 1000), order.to_bytes(6, "big") + os.urandom(4))
