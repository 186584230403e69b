"""Password-reset codes: one per person (a new request replaces the previous one), keyed by the
e-mail hashed, expiring by TTL."""

from __future__ import annotations

import contextlib
from datetime import datetime

from pynamodb.exceptions import DeleteError

from skailan.platform.clock import iso
from skailan.platform.storage import find_item
from skailan.tenancy.store.items import RESET_SK, PasswordResetItem, reset_pk


def save_code(email: str, code_hash: str, expires: datetime) -> None:
    PasswordResetItem(reset_pk(email), RESET_SK, code_hash=code_hash, expires_at=iso(expires), ttl=expires,
                      created_at=iso()).save()


def find_code(email: str) -> PasswordResetItem | None:
    """The person's latest code (a strongly consistent read: it may have just been written)."""
    return find_item(PasswordResetItem, reset_pk(email), RESET_SK, consistent=True)


def use_code(item: PasswordResetItem) -> None:
    """Delete a used reset code if it is still that one. Any failure is ignored: the password is
    set by then, and an unused code expires by its TTL."""
    with contextlib.suppress(DeleteError):
        item.delete(condition=PasswordResetItem.code_hash == item.code_hash)
