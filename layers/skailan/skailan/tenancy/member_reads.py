"""Looking a member up: by brand and user, or every brand of a user. Below `members.py`, so the
modules `members.py` calls (api keys, sign-in) and the rest of the code can read members without
importing it back (nor tenancy's store).
"""

from __future__ import annotations

from skailan.tenancy.store import members as store
from skailan.tenancy.store.items import MemberItem


def find_member(tenant_id: str, user_id: str) -> MemberItem | None:
    return store.find_member(tenant_id, user_id)


def memberships_of(user_id: str) -> list[MemberItem]:
    """Every brand a person belongs to (one Query)."""
    return store.memberships_of(user_id)
